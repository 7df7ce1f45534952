import Simulation

/// A virtual smoker thermometer: a ``Simulation`` plus a protocol codec.
///
/// Pure and clock-free. The runner moves it through virtual time with
/// ``advance(to:)``, which returns the lines the device prints, each carrying
/// the state at its own virtual time. ``reset()`` emulates the DTR pulse of a
/// port open (warm-up silence, then output restarts); ``receive(_:)`` feeds
/// app bytes to the command parser and applies the commands to the simulation
/// (`/set?sp=250F` changes the running setpoint, so the pit curve follows).
public struct SmokerDevice: VirtualDevice {
    public private(set) var simulation: Simulation
    public private(set) var codec: any SmokerProtocolCodec
    /// Which channels feed which probe (from the profile's `device:` section and channel names).
    public let spec: DeviceSpec
    /// Virtual time of the next firmware loop.
    public private(set) var nextLoopTime: Double
    /// Commands the device did not understand (most recent last, at most 32).
    public private(set) var ignoredCommands: [String] = []

    /// Creates a device; the first loop runs one `lineInterval` after the simulation's current time.
    public init(simulation: Simulation, protocol smokerProtocol: SmokerProtocol) {
        self.simulation = simulation
        spec = DeviceSpec(profile: simulation.profile)
        codec = smokerProtocol.makeCodec()
        nextLoopTime = simulation.time + codec.lineInterval
    }

    /// The protocol's serial speed.
    public var baudRate: Int { codec.baudRate }

    /// DTR reset / port open: firmware state cleared; silence for the warm-up, then output.
    /// The simulation (the physical smoker) keeps running.
    public mutating func reset() {
        codec.reset()
        nextLoopTime = simulation.time + codec.lineInterval
    }

    /// Advances to `time`, running every firmware loop due, and returns the lines printed.
    public mutating func advance(to time: Double) -> [DeviceLine] {
        var lines: [DeviceLine] = []
        while nextLoopTime <= time + 1e-9 {
            simulation.advance(to: nextLoopTime)
            if let bytes = codec.nextLine(readings()) {
                lines.append(DeviceLine(time: nextLoopTime, bytes: bytes))
            }
            nextLoopTime += codec.lineInterval
        }
        simulation.advance(to: time)
        return lines
    }

    /// The protocol name (`smart-smoker`, `heatermeter`).
    public var protocolName: String { codec.protocolName }

    /// Consumes bytes written by the app; applies completed commands to the simulation.
    /// Returns one log message per command.
    @discardableResult
    public mutating func receive(_ bytes: [UInt8]) -> [String] {
        var messages: [String] = []
        for command in codec.receive(bytes) {
            switch command {
            case .setSetpoint(let fahrenheit):
                let label = "setpoint \(Int(fahrenheit.rounded()))°F (serial command)"
                do {
                    try simulation.inject(ModelEvent("setpoint", parameters: ["value": fahrenheit]), label: label)
                    messages.append(label)
                } catch {
                    remember("setpoint refused: \(error.message)")
                    messages.append("setpoint refused: \(error.message)")
                }
            case .unknown(let text):
                remember(text)
                messages.append("ignored command: \(text)")
            }
        }
        return messages
    }

    /// Applies an event from outside (control API, stdin).
    public mutating func inject(_ event: ModelEvent) throws(ModelError) {
        try simulation.inject(event)
    }

    private mutating func remember(_ text: String) {
        ignoredCommands.append(text)
        if ignoredCommands.count > 32 { ignoredCommands.removeFirst() }
    }

    /// The probe and controller state in °F, mapped through the profile's `device:` section.
    public func readings() -> SmokerReadings {
        let profile = simulation.profile
        func fahrenheit(_ channel: String?) -> Double? {
            guard let channel, let channelSpec = profile.channel(named: channel),
                let value = simulation.reading(of: channel)?.value
            else { return nil }
            return channelSpec.unit.convert(value, to: .fahrenheit)
        }
        func output(_ name: String) -> Double { simulation.modelValue(name) ?? 0 }
        return SmokerReadings(
            setpoint: simulation.modelValue("setpoint"),
            manualMode: false,
            pit: fahrenheit(spec.pit),
            food: spec.food.map { fahrenheit($0) },
            ambient: fahrenheit(spec.ambient),
            output: output("output"),
            outputAverage: output("output_avg"),
            lidOpenCountdown: output("lid_countdown"),
            fan: output("fan"),
            servo: output("servo"))
    }
}
