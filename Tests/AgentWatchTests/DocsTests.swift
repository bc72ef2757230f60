import Foundation
import Testing
@testable import AgentWatchCore

/// Generated documentation must match the code it describes.
@Suite struct DocsTests {
    @Test func fieldTableInPolicyLanguageDocIsCurrent() throws {
        let doc = try String(contentsOfFile: Harness.repo + "/docs/policy-language.md", encoding: .utf8)
        #expect(doc.hasSuffix(FieldTable.documentation()), "run `make docs` to regenerate the field table")
    }
}
