/// Turns the bytes a device transmits with one line setting into the bytes
/// a UART set to another line setting would receive. Pure and deterministic.
///
/// The model, for one burst of bytes (one call to ``transform(_:)``):
///
/// 1. **Transmitter.** Each byte becomes a frame at the sender's baud: a
///    start bit (0), `sender.dataBits` data bits least significant first, a
///    parity bit if the sender uses one, then `sender.stopBits` stop bits
///    (1). Frames are sent back to back; the line idles at 1 before and
///    after the burst (between bursts a device is silent far longer than a
///    frame, so every call starts and ends on an idle line).
/// 2. **Receiver.** A UART at the receiver's baud hunts for a falling edge
///    (1 → 0). From that edge it samples in the middle of each of *its*
///    bit times: the start bit (if it reads 1 there, the edge was a glitch
///    and hunting resumes), `receiver.dataBits` data bits least significant
///    first, the parity bit if it expects one, and the first stop bit. The
///    byte is delivered even on a framing or parity error, which is what a
///    Linux tty in raw mode (no `INPCK`) hands the app. Hunting resumes at
///    the first falling edge after the stop-bit sample.
///
/// Consequences, as on real hardware: equal settings give the input back
/// unchanged; a receiver faster than the sender reads more, mostly
/// garbage, bytes (several per sent frame); a slower receiver reads fewer
/// bytes, built from bits of several sent frames. Edges are taken as ideal
/// (no 16× oversampling jitter, no clock drift), so the output depends only
/// on the input and the two settings.
///
/// Time is exact integer arithmetic: one sender bit lasts `2 × receiver
/// baud` units and one receiver bit `2 × sender baud` units.
public struct BaudMismatchCorruptor: Sendable, Equatable {
    /// How the device transmits.
    public let sender: LineSettings
    /// How the app's UART is set to receive.
    public let receiver: LineSettings

    /// Creates a corruptor from the device's (`sender`) to the app's
    /// (`receiver`) line settings.
    public init(sender: LineSettings, receiver: LineSettings) {
        self.sender = sender
        self.receiver = receiver
    }

    /// True when the receiver decodes exactly what was sent.
    public var isIdentity: Bool {
        sender.baud == receiver.baud && sender.dataBits == receiver.dataBits
            && sender.parity == receiver.parity
    }

    /// What the receiver reads when the sender transmits `bytes` as one burst.
    public func transform(_ bytes: [UInt8]) -> [UInt8] {
        if isIdentity { return bytes }
        guard !bytes.isEmpty, sender.baud > 0, receiver.baud > 0 else { return [] }
        let line = Self.frames(bytes, settings: sender)
        let senderBit = 2 * receiver.baud
        let receiverBit = 2 * sender.baud
        let halfReceiverBit = sender.baud

        // Line level at time t: idle (1) outside the burst.
        func level(_ t: Int) -> Bool {
            guard t >= 0 else { return true }
            let k = t / senderBit
            return k < line.count ? line[k] : true
        }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var searchFrom = 0
        while true {
            // Next falling edge: a 0 bit preceded by a 1 (or by the idle line).
            var edge = searchFrom
            while edge < line.count, line[edge] || (edge > 0 && !line[edge - 1]) {
                edge += 1
            }
            guard edge < line.count else { break }
            let start = edge * senderBit
            if level(start + halfReceiverBit) {
                searchFrom = edge + 1  // glitch, not a start bit
                continue
            }
            var value = 0
            for bit in 0..<receiver.dataBits where level(start + halfReceiverBit + (bit + 1) * receiverBit) {
                value |= 1 << bit
            }
            let parityBits = receiver.parity == .none ? 0 : 1
            let stopSample = start + halfReceiverBit + (receiver.dataBits + parityBits + 1) * receiverBit
            output.append(UInt8(truncatingIfNeeded: value))
            searchFrom = stopSample / senderBit + 1
        }
        return output
    }

    /// The bit stream (true = 1 = mark) of `bytes` framed with `settings`.
    static func frames(_ bytes: [UInt8], settings: LineSettings) -> [Bool] {
        var line: [Bool] = []
        line.reserveCapacity(bytes.count * settings.bitsPerFrame)
        for byte in bytes {
            line.append(false)
            var ones = 0
            for bit in 0..<settings.dataBits {
                let one = (byte >> UInt8(bit)) & 1 == 1
                if one { ones += 1 }
                line.append(one)
            }
            switch settings.parity {
            case .none: break
            case .even: line.append(ones % 2 == 1)
            case .odd: line.append(ones % 2 == 0)
            case .mark: line.append(true)
            case .space: line.append(false)
            }
            for _ in 0..<settings.stopBits.rawValue { line.append(true) }
        }
        return line
    }
}
