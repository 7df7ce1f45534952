// Benchmarks for devbridge. Run through bench/*.sh in release mode:
//   swift run -c release devbridge-bench <name>
// Figures are printed, never asserted.

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "cgm-year", "cgm-realism":
    CGMBench.run(arguments)
case let name?:
    print("unknown benchmark '\(name)'; known: cgm-year, cgm-realism")
default:
    print("usage: devbridge-bench <benchmark> [options]")
}
