/// Places marker labels in stacked rows above the panels so they do not
/// overlap each other and no marker's leader line crosses another label.
///
/// Row 0 is nearest the panels. A label sits to the right of its marker
/// line (or to the left when it would run past the right edge); the marker
/// line rises from the panels through rows below the label's row.
enum MarkerLabelLayout {
    /// A label to place: the marker's x position and the label's width.
    struct Item: Sendable, Equatable {
        var x: Double
        var width: Double
    }

    /// Where a label went.
    struct Placement: Sendable, Equatable {
        /// Row index, 0 nearest the panels.
        var row: Int
        /// Whether the text starts right of the line (`text-anchor="start"`).
        var leftAligned: Bool
        /// Horizontal extent of the text.
        var minX: Double
        var maxX: Double
    }

    /// Gap between a line and its label, and between neighbouring labels.
    static let padding = 4.0

    /// Places `items` in at most `maxRows` rows within `[minX, maxX]`;
    /// results are in input order. Uses the fewest rows that avoid every
    /// conflict; when none suffices, the placement with the lowest conflict
    /// cost (text overlap weighs more than a line crossing text) is used.
    static func place(_ items: [Item], minX: Double, maxX: Double, maxRows: Int) -> [Placement] {
        var best: (placements: [Placement], cost: Int)? = nil
        for rows in 1...max(1, maxRows) {
            let attempt = greedy(items, minX: minX, maxX: maxX, rows: rows)
            if attempt.cost == 0 { return attempt.placements }
            if best == nil || attempt.cost < best!.cost { best = attempt }
        }
        return best!.placements
    }

    /// Left-to-right greedy placement into `rows` rows, trying the top row first
    /// so clusters form a staircase down towards the panels.
    private static func greedy(
        _ items: [Item], minX: Double, maxX: Double, rows: Int
    ) -> (placements: [Placement], cost: Int) {
        var intervals = Array(repeating: [(Double, Double)](), count: rows)
        var crossings = Array(repeating: [Double](), count: rows)
        var result = Array(
            repeating: Placement(row: 0, leftAligned: true, minX: 0, maxX: 0), count: items.count)
        var total = 0
        let order = items.indices.sorted { (items[$0].x, $0) < (items[$1].x, $1) }

        for index in order {
            let item = items[index]
            let rightEdge = item.x + padding + item.width
            let leftAligned = rightEdge <= maxX || item.x - padding - item.width < minX
            let lo = leftAligned ? item.x + padding : item.x - padding - item.width
            let hi = lo + item.width

            var best = rows - 1
            var bestCost = Int.max
            for row in stride(from: rows - 1, through: 0, by: -1) {
                let c = conflictCost(
                    lo: lo, hi: hi, x: item.x, row: row, intervals: intervals, crossings: crossings)
                if c < bestCost {
                    best = row
                    bestCost = c
                }
                if c == 0 { break }
            }
            total += bestCost
            intervals[best].append((lo, hi))
            for below in 0..<best { crossings[below].append(item.x) }
            result[index] = Placement(row: best, leftAligned: leftAligned, minX: lo, maxX: hi)
        }
        return (result, total)
    }

    /// Cost of putting the text `[lo, hi]` of a marker at `x` in `row`:
    /// 3 per overlapped label, 1 per marker line crossing a label.
    private static func conflictCost(
        lo: Double, hi: Double, x: Double, row: Int, intervals: [[(Double, Double)]], crossings: [[Double]]
    ) -> Int {
        var n = 0
        for (a, b) in intervals[row] where lo < b + padding && a - padding < hi {
            n += 3
        }
        for c in crossings[row] where c > lo - padding && c < hi + padding {
            n += 1
        }
        for below in 0..<row {
            for (a, b) in intervals[below] where x > a - 1 && x < b + 1 {
                n += 1
            }
        }
        return n
    }
}
