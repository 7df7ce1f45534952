import NIOCore
import Testing

@testable import SerialBridge

@Suite struct TelnetParserTests {
    func parse(_ chunks: [[UInt8]], max: Int = 256) -> ([TelnetEvent], TelnetParser) {
        var parser = TelnetParser(maxSubnegotiation: max)
        var events: [TelnetEvent] = []
        for chunk in chunks { parser.parse(ByteBuffer(bytes: chunk)) { events.append($0) } }
        return (events, parser)
    }

    func data(_ events: [TelnetEvent]) -> [UInt8] {
        events.flatMap { event -> [UInt8] in
            if case .data(let b) = event { return Array(b.readableBytesView) }
            return []
        }
    }

    @Test func plainDataPassesThroughAsOneSlice() {
        let (events, _) = parse([[1, 2, 3, 4]])
        #expect(events == [.data(ByteBuffer(bytes: [1, 2, 3, 4]))])
    }

    @Test func doubledIACIsOneDataByteEvenAcrossChunks() {
        let (events, _) = parse([[1, 255], [255, 2]])
        #expect(data(events) == [1, 255, 2])
    }

    @Test func negotiationAndSubnegotiationSplitAnywhere() {
        let stream: [UInt8] = [7, 255, 251, 44, 255, 250, 44, 1, 0, 0, 255, 255, 255, 240, 8]
        for split in 0...stream.count {
            let (events, _) = parse([Array(stream[..<split]), Array(stream[split...])])
            let nonData = events.filter { if case .data = $0 { false } else { true } }
            #expect(
                nonData == [.negotiation(verb: 251, option: 44), .subnegotiation(option: 44, payload: [1, 0, 0, 255])])
            #expect(data(events) == [7, 8])
        }
    }

    @Test func truncatedSubnegotiationIsDroppedAndFollowingCommandParsed() {
        // IAC SB 44 1 0 then IAC WILL 3 (no IAC SE): the SB is abandoned, WILL is seen.
        let (events, parser) = parse([[255, 250, 44, 1, 0, 255, 251, 3, 65]])
        #expect(events == [.negotiation(verb: 251, option: 3), .data(ByteBuffer(bytes: [65]))])
        #expect(parser.discardedSubnegotiations == 1)
    }

    @Test func subnegotiationWithoutOptionByte() {
        let (events, parser) = parse([[255, 250, 255, 241, 66]])
        #expect(events == [.command(241), .data(ByteBuffer(bytes: [66]))])
        #expect(parser.discardedSubnegotiations == 1)
    }

    @Test func endlessSubnegotiationStaysBounded() {
        var parser = TelnetParser(maxSubnegotiation: 64)
        var count = 0
        parser.parse(ByteBuffer(bytes: [255, 250, 44])) { _ in count += 1 }
        for _ in 0..<1000 {
            parser.parse(ByteBuffer(repeating: 7, count: 1000)) { _ in count += 1 }
            #expect(parser.bufferedBytes <= 64)
        }
        #expect(count == 0)
        // An oversized subnegotiation that does end is dropped, then data flows again.
        parser.parse(ByteBuffer(bytes: [255, 240, 9])) { event in #expect(event == .data(ByteBuffer(bytes: [9]))) }
        #expect(parser.discardedSubnegotiations == 1)
    }

    @Test func escapingDoublesIAC() {
        var out = ByteBuffer()
        out.writeTelnetEscaped(ByteBuffer(bytes: [1, 255, 2, 255]))
        #expect(Array(out.readableBytesView) == [1, 255, 255, 2, 255, 255])
    }
}

@Suite struct TelnetOptionNegotiatorTests {
    @Test func supportedOptionIsAcceptedOnceAndConfirmationsAreNotAnswered() {
        var n = TelnetOptionNegotiator(localSupported: [44], remoteSupported: [44])
        #expect(n.receive(verb: Telnet.do, option: 44)! == (Telnet.will, 44))
        #expect(n.receive(verb: Telnet.do, option: 44) == nil)
        #expect(n.receive(verb: Telnet.will, option: 44)! == (Telnet.do, 44))
        #expect(n.receive(verb: Telnet.will, option: 44) == nil)
        #expect(n.isLocalEnabled(44) && n.isRemoteEnabled(44))
    }

    @Test func unknownOptionsAreRefusedExactlyOnce() {
        var n = TelnetOptionNegotiator(localSupported: [], remoteSupported: [])
        #expect(n.receive(verb: Telnet.do, option: 1)! == (Telnet.wont, 1))
        #expect(n.receive(verb: Telnet.will, option: 24)! == (Telnet.dont, 24))
        for _ in 0..<10 {
            #expect(n.receive(verb: Telnet.do, option: 1) == nil)
            #expect(n.receive(verb: Telnet.will, option: 24) == nil)
        }
    }

    @Test func ourRequestConfirmedByPeerIsNotAnsweredAgain() {
        var n = TelnetOptionNegotiator(localSupported: [0], remoteSupported: [0])
        #expect(n.request(local: 0, enable: true)! == (Telnet.will, 0))
        #expect(n.receive(verb: Telnet.do, option: 0) == nil)
        #expect(n.isLocalEnabled(0))
        #expect(n.request(remote: 0, enable: true)! == (Telnet.do, 0))
        #expect(n.receive(verb: Telnet.wont, option: 0) == nil)
        #expect(!n.isRemoteEnabled(0))
    }

    @Test func disableOfEnabledOptionIsAcknowledged() {
        var n = TelnetOptionNegotiator(localSupported: [3], remoteSupported: [3])
        _ = n.receive(verb: Telnet.will, option: 3)
        #expect(n.receive(verb: Telnet.wont, option: 3)! == (Telnet.dont, 3))
        #expect(n.receive(verb: Telnet.wont, option: 3) == nil)
    }
}
