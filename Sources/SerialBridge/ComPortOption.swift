import NIOCore

/// RFC 2217 (COM-PORT-OPTION) server side, as a NIO duplex handler placed
/// after ``TelnetCodec``.
///
/// Inbound: ``TelnetEvent``s → data bytes (``ByteBuffer``) for the device;
/// COM-PORT subnegotiations are applied to the ``ComPortTarget`` and each one
/// is acknowledged (command + 100) with the value in force, including on
/// devices without modem lines or parity (a PTY). Outbound: device bytes →
/// ``TelnetEvent/data(_:)``. Modem-state changes arrive as the user outbound
/// event ``ComPortOption/ModemLinesChanged`` and are reported to the client
/// through its mask; line errors arrive as ``ComPortOption/LineErrorsDetected``
/// and become a NOTIFY-LINESTATE when the client's line-state mask asks for
/// them. In plain telnet mode (`comPortEnabled` false) only the
/// data passes and IAC BRK sends a serial BREAK.
public final class ComPortOption: ChannelDuplexHandler {
    public typealias InboundIn = TelnetEvent
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = TelnetEvent

    /// User outbound event: the device's modem lines (high nibble) changed.
    public struct ModemLinesChanged: Sendable, Equatable {
        /// CD 0x80, RI 0x40, DSR 0x20, CTS 0x10.
        public var lines: UInt8
        /// Creates the event.
        public init(lines: UInt8) { self.lines = lines }
    }

    /// User outbound event: the device's UART reported receive errors since the last poll.
    public struct LineErrorsDetected: Sendable, Equatable {
        /// NOTIFY-LINESTATE error bits (see ``LineStateTracker``).
        public var bits: UInt8
        /// Creates the event.
        public init(bits: UInt8) { self.bits = bits }
    }

    /// User inbound event: the client asked to suspend (true) or resume data to it.
    public struct FlowControlRequest: Sendable, Equatable {
        /// True for FLOWCONTROL-SUSPEND.
        public var suspend: Bool
    }

    private let target: any ComPortTarget
    private let signature: String
    private var modem = ModemStateTracker()
    private var lineStateMask: UInt8 = 0
    private var active = false
    /// The client's SIGNATURE, if it sent one.
    public private(set) var clientSignature: String?

    /// Creates the handler driving `target`; `signature` answers SIGNATURE requests.
    public init(target: any ComPortTarget, signature: String = "devbridge") {
        self.target = target
        self.signature = signature
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let enabled = event as? TelnetCodec.OptionEnabled, enabled.option == Telnet.optionComPort, !active {
            // First time COM-PORT is on (either side): report the modem lines once,
            // pyserial needs one NOTIFY-MODEMSTATE before it can answer getCTS().
            active = true
            modem = ModemStateTracker(lines: target.comPortModemLines())
            send(context: context, ComPortCommand.notifyModemState, [modem.snapshot()])
            context.flush()
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .data(let buffer):
            context.fireChannelRead(wrapInboundOut(buffer))
        case .subnegotiation(let option, let payload):
            guard option == Telnet.optionComPort, active, let command = payload.first else { return }
            handle(context: context, command: command, value: payload.dropFirst())
            context.flush()
        case .command(let byte):
            if byte == Telnet.brk {
                _ = target.comPortControl(5)
                _ = target.comPortControl(6)
            }
        case .negotiation:
            break
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(wrapOutboundOut(.data(unwrapOutboundIn(data))), promise: promise)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if let change = event as? ModemLinesChanged {
            if active, let state = modem.update(lines: change.lines) {
                send(context: context, ComPortCommand.notifyModemState, [state])
                context.flush()
            }
            promise?.succeed(())
            return
        }
        if let errors = event as? LineErrorsDetected {
            if active, errors.bits & lineStateMask != 0 {
                send(
                    context: context, ComPortCommand.notifyLineState,
                    [(errors.bits | LineStateTracker.transmitRegistersEmpty) & lineStateMask])
                context.flush()
            }
            promise?.succeed(())
            return
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    private func handle(context: ChannelHandlerContext, command: UInt8, value: ArraySlice<UInt8>) {
        switch command {
        case ComPortCommand.signature:
            if value.isEmpty {
                send(context: context, command, Array(signature.utf8))
            } else {
                clientSignature = String(decoding: value.prefix(64), as: UTF8.self)
            }
        case ComPortCommand.setBaudRate:
            guard value.count >= 4 else { return replyMalformed(context: context, command) }
            let requested = value.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let baud = target.comPortSetBaud(requested == 0 ? nil : requested)
            send(
                context: context, command,
                [
                    UInt8(baud >> 24 & 0xFF), UInt8(baud >> 16 & 0xFF),
                    UInt8(baud >> 8 & 0xFF), UInt8(baud & 0xFF),
                ])
        case ComPortCommand.setDataSize:
            let requested = value.first ?? 0
            send(context: context, command, [target.comPortSetDataSize(requested == 0 ? nil : requested)])
        case ComPortCommand.setParity:
            let requested = value.first ?? 0
            send(context: context, command, [target.comPortSetParity(requested == 0 ? nil : requested)])
        case ComPortCommand.setStopSize:
            let requested = value.first ?? 0
            send(context: context, command, [target.comPortSetStopSize(requested == 0 ? nil : requested)])
        case ComPortCommand.setControl:
            let requested = value.first ?? 0
            send(context: context, command, [target.comPortControl(requested)])
        case ComPortCommand.notifyModemState:
            // Not defined for clients; pyserial sends it to poll the modem state.
            _ = modem.update(lines: target.comPortModemLines())
            send(context: context, command, [modem.snapshot()])
        case ComPortCommand.notifyLineState:
            send(context: context, command, [LineStateTracker.transmitRegistersEmpty & lineStateMask])
        case ComPortCommand.flowControlSuspend, ComPortCommand.flowControlResume:
            context.fireUserInboundEventTriggered(
                FlowControlRequest(suspend: command == ComPortCommand.flowControlSuspend))
        case ComPortCommand.setLineStateMask:
            lineStateMask = value.first ?? 0
            send(context: context, command, [lineStateMask])
        case ComPortCommand.setModemStateMask:
            modem.mask = value.first ?? 0
            send(context: context, command, [modem.mask])
        case ComPortCommand.purgeData:
            let requested = value.first ?? 0
            if (1...3).contains(requested) { target.comPortPurge(requested) }
            send(context: context, command, [requested])
        default:
            break  // unknown COM-PORT command: ignored (RFC 2217 defines no error reply)
        }
    }

    /// A SET-BAUDRATE with a short value: answer with the baud in force.
    private func replyMalformed(context: ChannelHandlerContext, _ command: UInt8) {
        let baud = target.comPortSetBaud(nil)
        send(
            context: context, command,
            [
                UInt8(baud >> 24 & 0xFF), UInt8(baud >> 16 & 0xFF),
                UInt8(baud >> 8 & 0xFF), UInt8(baud & 0xFF),
            ])
    }

    private func send(context: ChannelHandlerContext, _ command: UInt8, _ value: [UInt8]) {
        context.write(
            wrapOutboundOut(
                .subnegotiation(
                    option: Telnet.optionComPort,
                    payload: [command &+ ComPortCommand.serverOffset] + value)),
            promise: nil)
    }
}
