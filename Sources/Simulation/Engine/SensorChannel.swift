/// A channel's reading at a moment.
public enum Reading: Sendable, Hashable {
    /// A sensor value in the channel's unit.
    case value(Double)
    /// The probe is disconnected (devices print `nan` or `U`).
    case disconnected
    /// No sample: warm-up, dropout or signal loss.
    case noSample

    /// The value, if there is one.
    public var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// The runtime state of one channel: source, lag, noise, faults, sampling.
///
/// Pure and deterministic: all randomness comes from the channel's own
/// ``SeededRandom`` stream (derived from the profile seed and the channel name).
struct SensorChannel: Sendable {
    let spec: ChannelSpec
    /// Model output index for `.model` sources.
    let outputIndex: Int?
    /// Conversion from the model output's unit to the channel unit.
    let outputUnit: SignalUnit
    var random: SeededRandom

    /// Lagged true value (what the sensor physically sees).
    private(set) var lagged: Double?
    /// Last true (unlagged) value.
    private(set) var trueValue: Double = 0
    private(set) var reading: Reading = .noSample
    private var nextSample: Double = 0
    private var noiseState: Double = 0
    // Johnson SU grid state: values at the previous and next grid points.
    private var gridPrevious: (time: Double, value: Double)?
    private var gridNext: (time: Double, value: Double)?
    private var stuckValue: Double?
    /// The CGM sensor of `type: cgm` channels, and its latest reading.
    private var cgm: CGMSensor?
    private(set) var latestCGM: CGMReading?

    init(spec: ChannelSpec, model: (any PhysicalModel)?, random: SeededRandom) {
        self.spec = spec
        self.random = random
        if case .model(let output) = spec.source, let model, let index = model.outputIndex(named: output) {
            outputIndex = index
            outputUnit = model.outputs[index].unit
        } else {
            outputIndex = nil
            outputUnit = spec.unit
        }
        if case .ar1(_, let sd) = spec.sensor.noise {
            noiseState = sd * self.random.gaussian()
        }
        if let configuration = spec.sensor.cgm {
            // Validated by the loader; a failure here leaves the channel without samples.
            cgm = try? CGMSensor(configuration: configuration, random: self.random.derived("cgm"))
        }
    }

    /// The true value of the source at `time`, in channel units.
    func sourceValue(at time: Double, model: (any PhysicalModel)?) -> Double {
        switch spec.source {
        case .model:
            guard let outputIndex, let model else { return .nan }
            return outputUnit.convert(model.value(at: outputIndex), to: spec.unit)
        case .curve(let curve), .series(let curve):
            return curve.value(at: time)
        }
    }

    /// Advances to `time` (after `dt` seconds), sampling when due.
    mutating func update(time: Double, dt: Double, model: (any PhysicalModel)?, faults: [FaultSpec]) {
        let value = sourceValue(at: time, model: model)
        trueValue = value
        if let previous = lagged, spec.sensor.lag > 0, value.isFinite {
            lagged = value + (previous - value) * _exp(-dt / spec.sensor.lag)
        } else {
            lagged = value
        }
        if cgm != nil {
            sampleCGM(time: time, faults: faults)
            return
        }
        let interval = spec.sensor.interval ?? 0
        guard time + 1e-9 >= nextSample else { return }
        nextSample =
            interval > 0
            ? nextSample + interval * ((time - nextSample) / interval + 1e-9).rounded(.down)
                + interval : time
        sample(time: time, faults: faults)
    }

    /// CGM channels: the CGM sensor decides when a sample is due and what it reads.
    private mutating func sampleCGM(time: Double, faults: [FaultSpec]) {
        guard var sensor = cgm, let value = lagged, value.isFinite else { return }
        let interval = sensor.configuration.sampleInterval
        let due = time + 1e-6 >= nextSample
        let cgmReading = sensor.sample(time: time, interstitial: value)
        cgm = sensor
        guard due else { return }
        nextSample = ((time + 1e-6) / interval).rounded(.down) * interval + interval
        latestCGM = cgmReading
        guard let cgmReading else {
            reading = .noSample  // warm-up or signal loss: a gap
            return
        }
        applyFaults(to: Double(cgmReading.sgv), time: time, faults: faults)
        if reading.value == nil { latestCGM = nil }
    }

    private mutating func sample(time: Double, faults: [FaultSpec]) {
        let noise = drawNoise(time: time)
        guard time >= spec.sensor.warmup, let value = lagged, value.isFinite else {
            reading = .noSample
            return
        }
        applyFaults(to: value + noise, time: time, faults: faults)
    }

    /// Applies active faults, quantization and clamping to a sampled value and stores the reading.
    private mutating func applyFaults(to sampled: Double, time: Double, faults: [FaultSpec]) {
        var value = sampled
        var disconnected = false
        var dropped = false
        var stuck = false
        for fault in faults where fault.channel == spec.name && fault.isActive(at: time) {
            switch fault.kind {
            case .disconnect: disconnected = true
            case .dropout: dropped = true
            case .stuck:
                stuck = true
                if stuckValue == nil { stuckValue = reading.value ?? value }
            case .spike: value += fault.amount
            case .drift: value += fault.rate * (time - fault.start) / 3600
            }
        }
        if !stuck { stuckValue = nil }
        if let held = stuckValue {
            reading = .value(held)
            return
        }
        if disconnected {
            reading = .disconnected
            return
        }
        if dropped {
            reading = .noSample
            return
        }
        let q = spec.sensor.quantization
        if q > 0 { value = (value / q).rounded() * q }
        if let clamp = spec.sensor.clamp { value = min(max(value, clamp.lowerBound), clamp.upperBound) }
        reading = .value(value)
    }

    private mutating func drawNoise(time: Double) -> Double {
        switch spec.sensor.noise {
        case nil:
            return 0
        case .gaussian(let sd):
            return sd * random.gaussian()
        case .ar1(let phi, let sd):
            noiseState = phi * noiseState + sd * (1 - phi * phi).squareRoot() * random.gaussian()
            return noiseState
        case .johnsonSU(let xi, let lambda, let gamma, let delta, let phi, let grid):
            func transform(_ e: Double) -> Double { xi + lambda * _sinh((e - gamma) / delta) }
            if gridPrevious == nil {
                noiseState = random.gaussian()
                gridPrevious = (time, transform(noiseState))
                noiseState = phi * (noiseState + random.gaussian())
                gridNext = (time + grid, transform(noiseState))
            }
            while let next = gridNext, time >= next.time {
                gridPrevious = next
                noiseState = phi * (noiseState + random.gaussian())
                gridNext = (next.time + grid, transform(noiseState))
            }
            guard let previous = gridPrevious, let next = gridNext else { return 0 }
            let fraction = (time - previous.time) / (next.time - previous.time)
            return previous.value + (next.value - previous.value) * fraction
        }
    }
}

#if canImport(Glibc)
    import Glibc
    @inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) func _sinh(_ x: Double) -> Double { Glibc.sinh(x) }
#else
    import Foundation
    @inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) func _sinh(_ x: Double) -> Double { Foundation.sinh(x) }
#endif
