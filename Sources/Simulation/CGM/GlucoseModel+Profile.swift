extension GlucoseModel {
    /// Builds a glucose–insulin model from a profile's `model:` mapping (`type: glucose`).
    ///
    /// ```yaml
    /// model:
    ///   type: glucose
    ///   patient: adult          # adult | adolescent | child
    ///   basal: 0.4U/h           # default: the preset's steady-state rate
    ///   dawn: 15%               # extra liver glucose output in the dawn window
    ///   dawn_window: ["04:00", "08:00"]
    ///   interstitial_lag: 5m
    /// ```
    static let factory = ModelFactory(
        type: "glucose",
        summary: "Hovorka 2004 glucose–insulin model with adult/adolescent/child presets and the dawn phenomenon."
    ) { (reader: inout MappingReader, clock: ClockSpec) throws(ProfileError) -> any PhysicalModel in
        var configuration = Configuration(startTimeOfDay: clock.startTimeOfDay)
        if let node = reader.optional("patient") {
            let text = try node.string()
            guard let patient = Patient(rawValue: text) else {
                let known = Patient.allCases.map(\.rawValue).joined(separator: ", ")
                throw node.error(.badValue, "unknown patient '\(text)' (known: \(known))")
            }
            configuration.patient = patient
        }
        if let node = reader.optional("basal") { configuration.basalRate = try node.quantity(.insulinRate) }
        if let node = reader.optional("dawn") { configuration.dawnAmplitude = try node.quantity(.percent) / 100 }
        if let node = reader.optional("dawn_window") {
            let bounds = try node.sequence()
            guard bounds.count == 2, let start = TimeOfDayText.parse(try bounds[0].string()),
                let end = TimeOfDayText.parse(try bounds[1].string())
            else { throw node.error(.badValue, "dawn_window is two times of day, e.g. [\"04:00\", \"08:00\"]") }
            configuration.dawnStart = start
            configuration.dawnEnd = end
        }
        if let node = reader.optional("interstitial_lag") {
            configuration.interstitialTimeConstant = try node.duration()
        }
        do throws(ModelError) {
            return try GlucoseModel(configuration: configuration)
        } catch {
            throw reader.node.error(.badValue, error.message)
        }
    }
}
