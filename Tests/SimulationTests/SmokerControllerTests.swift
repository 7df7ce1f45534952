import Testing

@testable import Simulation

/// The HeaterMeter control loop in isolation.
@Suite struct SmokerControllerTests {
    func controller() -> HeaterMeterController {
        HeaterMeterController(configuration: .init(), pit: 70)
    }

    @Test func pidPushesFullOutputWhenColdAndBacksOffAbove() {
        var c = controller()
        c.tick(pit: 70, period: 1)
        #expect(c.output == 100)
        for _ in 0..<300 { c.tick(pit: 240, period: 1) }
        #expect(c.output == 0)
        #expect(c.integral == 0, "integral clamped at 0")
    }

    @Test func lidDetectionArmsOnlyAfterSetpointReached() {
        var c = controller()
        for _ in 0..<60 { c.tick(pit: 200, period: 1) }
        #expect(c.lidCountdown == 0, "not armed before the pit first reaches setpoint")
        var settled = controller()
        for _ in 0..<600 { settled.tick(pit: 225, period: 1) }
        #expect(settled.pitReached && settled.outputAverage < 90)
        settled.tick(pit: 210, period: 1)  // 6.7 % below 225
        #expect(settled.lidCountdown == 239)
        #expect(settled.output == 0)
        // Back at setpoint after 10 s: the hold continues until 30 s have passed.
        for _ in 0..<10 { settled.tick(pit: 226, period: 1) }
        #expect(settled.lidCountdown > 0)
        for _ in 0..<20 { settled.tick(pit: 226, period: 1) }
        #expect(settled.lidCountdown == 0)
        #expect(settled.pitReached)
    }

    @Test func lidHoldTimesOutAfter240Seconds() {
        var c = controller()
        for _ in 0..<600 { c.tick(pit: 225, period: 1) }
        for _ in 0..<239 { c.tick(pit: 180, period: 1) }
        #expect(c.lidCountdown == 1)
        c.tick(pit: 180, period: 1)
        #expect(c.lidCountdown == 0)
        c.tick(pit: 180, period: 1)
        #expect(c.output == 100, "PID resumes and is not re-armed until setpoint is reached again")
        #expect(c.lidCountdown == 0)
    }

    @Test func setpointChangeDisarmsLidDetection() {
        var c = controller()
        for _ in 0..<600 { c.tick(pit: 225, period: 1) }
        c.changeSetpoint(275)
        c.tick(pit: 225, period: 1)
        #expect(c.lidCountdown == 0)
        #expect(c.output > 90)
    }
}
