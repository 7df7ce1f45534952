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
    /// results are in input order. When nothing fits, the row with the fewest
    /// conflicts is used (so overlaps are possible only in crowded charts).
    static func place(_ items: [Item], minX: Double, maxX: Double, maxRows: Int) -> [Placement] {
        let rows = max(1, maxRows)
        var intervals = Array(repeating: [(Double, Double)](), count: rows)
        var crossings = Array(repeating: [Double](), count: rows)
        var result = Array(
            repeating: Placement(row: 0, leftAligned: true, minX: 0, maxX: 0), count: items.count)
        let order = items.indices.sorted { (items[$0].x, $0) < (items[$1].x, $1) }

        for index in order {
            let item = items[index]
            let rightEdge = item.x + padding + item.width
            let leftAligned = rightEdge <= maxX || item.x - padding - item.width < minX
            let lo = leftAligned ? item.x + padding : item.x - padding - item.width
            let hi = lo + item.width

            func conflicts(row: Int) -> Int {
                var n = 0
                for (a, b) in intervals[row] where lo < b + padding && a - padding < hi { n += 1 }
                for c in crossings[row] where c > lo - padding && c < hi + padding { n += 1 }
                for below in 0..<row {
                    for (a, b) in intervals[below] where item.x > a - 1 && item.x < b + 1 { n += 1 }
                }
                return n
            }

            var best = 0
            var bestConflicts = Int.max
            for row in 0..<rows {
                let c = conflicts(row: row)
                if c == 0 {
                    best = row
                    bestConflicts = 0
                    break
                }
                if c < bestConflicts {
                    best = row
                    bestConflicts = c
                }
            }
            intervals[best].append((lo, hi))
            for below in 0..<best { crossings[below].append(item.x) }
            result[index] = Placement(row: best, leftAligned: leftAligned, minX: lo, maxX: hi)
        }
        return result
    }
}
