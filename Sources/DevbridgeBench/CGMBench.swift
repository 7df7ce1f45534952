/// CGM benchmarks (owned by the CGM work; placeholder until it lands).
enum CGMBench {
    static func run(_ arguments: [String]) {
        print("cgm benchmarks: not yet implemented")
    }
}
