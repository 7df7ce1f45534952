import Simulation

/// Why a ``CGMDevice`` cannot be built.
public struct CGMDeviceError: Error, Sendable, CustomStringConvertible {
    /// `noGlucoseChannel` or `notACGMChannel`.
    public var code: String
    public var message: String
    public var description: String { message }
}

/// A virtual CGM feed: a glucose ``Simulation`` whose `type: cgm` channel prints one
/// `cgm-jsonl` line (see ``CGMJSONLCodec``) per new 5-minute reading.
///
/// Each new reading also goes to every subscriber (``subscribe(_:)``), in order, as the device
/// advances: the service's Nightscout history store is one. The device itself keeps no shared
/// state. Nothing is printed (and nothing is sent) during sensor warm-up or signal gaps. ``reset()`` (port open) restarts nothing: the sensor keeps
/// its session and the next line is the next reading. Bytes from the app are ignored.
public struct CGMDevice: VirtualDevice {
    /// Default device name (Nightscout's `device` field).
    public static let defaultDeviceName = "devbridge-cgm"

    public private(set) var simulation: Simulation
    /// The glucose channel read (the profile's `device.glucose`, default `glucose`).
    public let channel: String
    /// Nightscout `device` name of the entries.
    public let deviceName: String
    /// Receives a new reading's entry, on the caller's thread, while the device advances.
    public typealias Subscriber = @Sendable (CGMEntry) -> Void

    /// Who receives each new reading, in subscription order.
    public private(set) var subscribers: [Subscriber]
    /// Virtual time (s) of the last reading emitted.
    public private(set) var lastReadingTime: Double?
    private let codec = CGMJSONLCodec()

    /// Creates a feed over `simulation`; each new reading also goes to `subscribers`.
    /// Throws when the profile has no `type: cgm` glucose channel.
    public init(
        simulation: Simulation, deviceName: String = CGMDevice.defaultDeviceName, subscribers: [Subscriber] = []
    ) throws(CGMDeviceError) {
        let channel = DeviceSpec(profile: simulation.profile).glucose ?? "glucose"
        guard let spec = simulation.profile.channel(named: channel) else {
            throw CGMDeviceError(
                code: "noGlucoseChannel",
                message: "profile '\(simulation.profile.name)' has no channel '\(channel)' (set device.glucose)")
        }
        guard spec.sensor.cgm != nil else {
            throw CGMDeviceError(
                code: "notACGMChannel", message: "channel '\(channel)' has no CGM sensor (sensor: {type: cgm})")
        }
        self.simulation = simulation
        self.channel = channel
        self.deviceName = deviceName
        self.subscribers = subscribers
    }

    /// Adds a subscriber: it receives every reading from now on.
    public mutating func subscribe(_ subscriber: @escaping Subscriber) {
        subscribers.append(subscriber)
    }

    public var protocolName: String { CGMJSONLCodec.protocolName }
    public var baudRate: Int { CGMJSONLCodec.baudRate }

    /// Port open: the sensor keeps running; output continues with the next reading.
    public mutating func reset() {}

    /// Advances to `time` one profile tick at a time (on the tick grid); returns a line per new reading.
    public mutating func advance(to time: Double) -> [DeviceLine] {
        var lines: [DeviceLine] = []
        if let (time, entry) = takeNewEntry() {  // the reading at the start, if any
            lines.append(DeviceLine(time: time, bytes: codec.line(for: entry)))
        }
        let step = max(simulation.profile.clock.tick, 1e-3)
        while simulation.time < time - 1e-9 {
            // Land on the tick grid, so readings fall on exact 5-minute marks whatever the caller's times.
            let next = ((simulation.time + 1e-9) / step).rounded(.down) * step + step
            simulation.advance(to: min(time, next))
            if let (time, entry) = takeNewEntry() {
                lines.append(DeviceLine(time: time, bytes: codec.line(for: entry)))
            }
        }
        return lines
    }

    /// The app's bytes are ignored (a CGM feed takes no commands).
    public mutating func receive(_ bytes: [UInt8]) -> [String] { [] }

    /// Applies an event (meal, bolus, spike, …) to the simulation.
    public mutating func inject(_ event: ModelEvent) throws(ModelError) {
        try simulation.inject(event)
    }

    /// The entry for the latest reading, if any (not necessarily new).
    public func latestEntry() -> CGMEntry? {
        simulation.cgmReading(of: channel).map(entry(for:))
    }

    private func entry(for reading: CGMReading) -> CGMEntry {
        CGMEntry(reading: reading, startEpoch: simulation.profile.clock.startEpoch, device: deviceName)
    }

    /// The entry of a reading not emitted yet, with the reading's virtual time.
    private mutating func takeNewEntry() -> (Double, CGMEntry)? {
        guard let reading = simulation.cgmReading(of: channel) else { return nil }
        if let last = lastReadingTime, reading.time <= last + 1e-9 { return nil }
        lastReadingTime = reading.time
        let entry = entry(for: reading)
        for subscriber in subscribers { subscriber(entry) }
        return (reading.time, entry)
    }
}
