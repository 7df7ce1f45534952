import Foundation

/// Random meal days in the style of simglucose's random scenario: up to six
/// meals a day (breakfast, snack, lunch, snack, dinner, snack), each taken
/// with a probability, at a truncated-normal time and a normal amount.
public struct RandomMealSchedule: Sendable, Equatable {
    /// One meal slot of the day.
    public struct Slot: Sendable, Equatable {
        /// Mean time (hours after midnight).
        public var hour: Double
        /// Probability the meal is taken (0–1).
        public var probability: Double
        /// Mean and standard deviation of the amount (g).
        public var meanGrams: Double
        public var sdGrams: Double
        /// Standard deviation of the time (minutes) and its bounds (hours after midnight).
        public var sdMinutes: Double
        public var earliestHour: Double
        public var latestHour: Double

        /// Creates a slot.
        public init(
            hour: Double, probability: Double, meanGrams: Double, sdGrams: Double, sdMinutes: Double,
            earliestHour: Double, latestHour: Double
        ) {
            self.hour = hour
            self.probability = probability
            self.meanGrams = meanGrams
            self.sdGrams = sdGrams
            self.sdMinutes = sdMinutes
            self.earliestHour = earliestHour
            self.latestHour = latestHour
        }
    }

    /// One meal: when (s since the simulation start) and how much carbohydrate (g).
    public struct Meal: Sendable, Equatable, Codable {
        /// Seconds since the simulation start.
        public var time: Double
        /// Carbohydrate (g).
        public var grams: Double

        /// Creates a meal.
        public init(time: Double, grams: Double) {
            self.time = time
            self.grams = grams
        }
    }

    /// simglucose's slots: 7, 9.5, 12, 15, 18, 21.5 h; probabilities 0.95/0.3/…;
    /// means 45/10/70/10/80/10 g.
    public static let simglucoseSlots: [Slot] = [
        Slot(hour: 7, probability: 0.95, meanGrams: 45, sdGrams: 10, sdMinutes: 60, earliestHour: 5, latestHour: 9),
        Slot(hour: 9.5, probability: 0.3, meanGrams: 10, sdGrams: 5, sdMinutes: 30, earliestHour: 9, latestHour: 10),
        Slot(hour: 12, probability: 0.95, meanGrams: 70, sdGrams: 10, sdMinutes: 60, earliestHour: 10, latestHour: 14),
        Slot(hour: 15, probability: 0.3, meanGrams: 10, sdGrams: 5, sdMinutes: 30, earliestHour: 14, latestHour: 16),
        Slot(hour: 18, probability: 0.95, meanGrams: 80, sdGrams: 10, sdMinutes: 60, earliestHour: 16, latestHour: 20),
        Slot(hour: 21.5, probability: 0.3, meanGrams: 10, sdGrams: 5, sdMinutes: 30, earliestHour: 20, latestHour: 23),
    ]

    /// Meals in time order.
    public let meals: [Meal]

    /// Draws `days` days of meals. Times are whole minutes and amounts whole grams;
    /// a meal before the start (day 0 before `startTimeOfDay`) is dropped; zero-gram meals are dropped.
    public init(days: Int, random: SeededRandom, startTimeOfDay: Double = 0, slots: [Slot] = simglucoseSlots) {
        var rng = random
        var meals: [Meal] = []
        for day in 0..<max(days, 0) {
            for slot in slots where rng.uniform() < slot.probability {
                let lo = slot.earliestHour * 60
                let hi = slot.latestHour * 60
                var minute = slot.hour * 60
                // Truncated normal by rejection (the bounds are within ±2 SD).
                for _ in 0..<100 {
                    let m = rng.gaussian(mean: slot.hour * 60, sd: slot.sdMinutes)
                    if m >= lo && m <= hi {
                        minute = m
                        break
                    }
                }
                let grams = max(rng.gaussian(mean: slot.meanGrams, sd: slot.sdGrams).rounded(), 0)
                let time = Double(day) * 86400 + minute.rounded() * 60 - startTimeOfDay
                if time >= 0 && grams > 0 { meals.append(Meal(time: time, grams: grams)) }
            }
        }
        self.meals = meals.sorted { $0.time < $1.time }
    }

    /// A schedule with the given meals.
    public init(meals: [Meal]) {
        self.meals = meals.sorted { $0.time < $1.time }
    }

    /// The meals as `meal` model events, each with its time.
    public func events() -> [(time: Double, event: ModelEvent)] {
        meals.map { ($0.time, ModelEvent("meal", parameters: ["grams": $0.grams])) }
    }
}
