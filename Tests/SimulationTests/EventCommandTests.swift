import Testing

@testable import Simulation

@Suite struct EventCommandTests {
    @Test func parsesKeyValueAndPositionalForms() throws {
        #expect(try EventCommand.parse("lid_open duration=90s") == ModelEvent("lid_open", parameters: ["duration": 90]))
        #expect(try EventCommand.parse("setpoint 250F") == ModelEvent("setpoint", parameters: ["value": 250]))
        #expect(try EventCommand.parse("setpoint value=121C").parameters["value"]! > 249.7)
        #expect(try EventCommand.parse("wrap meat1") == ModelEvent("wrap", target: "meat1"))
        #expect(
            try EventCommand.parse("meal 60g bolus=5U") == ModelEvent("meal", parameters: ["grams": 60, "bolus": 5]))
        #expect(try EventCommand.parse("spike") == ModelEvent("spike"))
    }

    @Test func rejectsBadCommandsWithAReason() {
        #expect(throws: EventCommand.Failure.self) { try EventCommand.parse("dance") }
        #expect(throws: EventCommand.Failure.self) { try EventCommand.parse("setpoint") }
        #expect(throws: EventCommand.Failure.self) { try EventCommand.parse("setpoint 250") }
        #expect(throws: EventCommand.Failure.self) { try EventCommand.parse("lid_open colour=red") }
        do {
            _ = try EventCommand.parse("setpoint 250")
        } catch {
            #expect(error.message.contains("missing unit"))
        }
    }
}
