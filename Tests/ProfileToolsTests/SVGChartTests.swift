import Testing

@testable import ProfileTools
