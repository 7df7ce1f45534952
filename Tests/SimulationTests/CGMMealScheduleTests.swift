import Testing

@testable import Simulation

@Suite struct CGMMealScheduleTests {
    @Test func followsSimglucoseSlots() {
        let days = 400
        let schedule = RandomMealSchedule(days: days, random: SeededRandom(seed: 3))
        var bySlot = [[RandomMealSchedule.Meal]](repeating: [], count: 6)
        for meal in schedule.meals {
            let hour = meal.time.truncatingRemainder(dividingBy: 86400) / 3600
            #expect(hour >= 5 && hour <= 23)
            #expect(meal.time.truncatingRemainder(dividingBy: 60) == 0)
            #expect(meal.grams > 0 && meal.grams == meal.grams.rounded())
            let slot = RandomMealSchedule.simglucoseSlots.lastIndex { $0.earliestHour <= hour } ?? 0
            bySlot[slot].append(meal)
        }
        let big = bySlot[0].count + bySlot[2].count + bySlot[4].count
        let snacks = bySlot[1].count + bySlot[3].count + bySlot[5].count
        #expect(abs(Double(big) / Double(3 * days) - 0.95) < 0.04)
        #expect(abs(Double(snacks) / Double(3 * days) - 0.3) < 0.06)
        let dinner = bySlot[4].map(\.grams).reduce(0, +) / Double(bySlot[4].count)
        #expect(abs(dinner - 80) < 4)
        #expect(zip(schedule.meals, schedule.meals.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    @Test func isDeterministicAndRespectsTheStartTime() {
        let a = RandomMealSchedule(days: 5, random: SeededRandom(seed: 8))
        let b = RandomMealSchedule(days: 5, random: SeededRandom(seed: 8))
        let c = RandomMealSchedule(days: 5, random: SeededRandom(seed: 9))
        #expect(a == b)
        #expect(a != c)
        let noon = RandomMealSchedule(days: 5, random: SeededRandom(seed: 8), startTimeOfDay: 12 * 3600)
        #expect(noon.meals.allSatisfy { $0.time >= 0 })
        #expect(noon.meals.count < a.meals.count)
        let events = a.events()
        #expect(events.count == a.meals.count)
        #expect(events.first?.event.name == "meal" && events.first?.event.parameters["grams"] == a.meals.first?.grams)
    }
}
