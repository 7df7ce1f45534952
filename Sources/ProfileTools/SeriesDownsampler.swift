/// Reduces a long series to at most four points per pixel column (first,
/// minimum, maximum, last — the "M4" scheme), so the drawn polyline looks
/// the same as the full series while the SVG stays small.
///
/// Gaps (`nil` or non-finite values, non-finite times) split the series into
/// separate runs; each run becomes one sub-path so gaps show as breaks.
enum SeriesDownsampler {
    /// Indices of the points to draw, grouped into gap-free runs.
    ///
    /// - Parameters:
    ///   - series: the series to reduce.
    ///   - start: time mapped to the left edge of column 0.
    ///   - end: time mapped to the right edge of the last column.
    ///   - columns: number of pixel columns of the plot area.
    static func runs(of series: PlotSeries, start: Double, end: Double, columns: Int) -> [[Int]] {
        let span = end > start ? end - start : 1
        let scale = Double(max(1, columns)) / span
        var runs: [[Int]] = []
        var current: [Int] = []
        var bucket = Bucket()

        func flushBucket() {
            current.append(contentsOf: bucket.indices)
            bucket = Bucket()
        }
        func closeRun() {
            flushBucket()
            if !current.isEmpty { runs.append(current) }
            current = []
        }

        for i in 0..<series.count {
            guard let v = series.finiteValue(at: i) else {
                closeRun()
                continue
            }
            let position = ((series.times[i] - start) * scale).rounded(.down)
            let column = Int(max(-1e15, min(1e15, position)))
            if bucket.column != column { flushBucket() }
            bucket.add(index: i, value: v, column: column)
        }
        closeRun()
        return runs
    }

    /// Points of one pixel column seen so far.
    private struct Bucket {
        var column: Int? = nil
        var first = -1, last = -1, minIndex = -1, maxIndex = -1
        var minValue = Double.infinity, maxValue = -Double.infinity

        mutating func add(index: Int, value: Double, column: Int) {
            if self.column == nil {
                self.column = column
                first = index
            }
            last = index
            if value < minValue { minValue = value; minIndex = index }
            if value > maxValue { maxValue = value; maxIndex = index }
        }

        /// The distinct kept indices in time order.
        var indices: [Int] {
            guard column != nil else { return [] }
            var kept = [first, minIndex, maxIndex, last]
            kept.sort()
            var out: [Int] = []
            for k in kept where out.last != k { out.append(k) }
            return out
        }
    }
}
