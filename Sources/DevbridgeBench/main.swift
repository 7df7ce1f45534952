// Benchmarks for devbridge. Run through bench/*.sh in release mode:
//   swift run -c release devbridge-bench <name>
// Figures are printed, never asserted.

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "smoker-brisket":
    SmokerBench.run(arguments)
case "smoker-fleet":
    await FleetBench.run(arguments)
case "cgm-year", "cgm-realism":
    CGMBench.run(arguments)
case let name?:
    print("unknown benchmark '\(name)'; known: smoker-brisket, smoker-fleet, cgm-year, cgm-realism")
default:
    print("usage: devbridge-bench smoker-brisket | smoker-fleet | cgm-year | cgm-realism [options]")
}
