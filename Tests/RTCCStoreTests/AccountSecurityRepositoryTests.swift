import Foundation
import RTCCCore
import RTCCStore
import Testing

/// The account state kept for the second factor and the cjis profile, on both databases.
@Suite struct AccountSecurityRepositoryTests {
    @Test(arguments: Backend.allCases)
    func failuresInTheWindowLockTheAccountUntilUnlocked(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let user = try await store.users.create(username: "ofc", displayName: "Officer", role: .officer, passwordHash: "h")
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            // Two failures, then a quiet 15 minutes: the window starts again.
            for minute in 0..<2 {
                _ = try await store.users.recordFailedSignIn(id: user.id, window: 900, limit: 5, lockFor: nil, now: start.addingTimeInterval(Double(minute) * 60))
            }
            let later = start.addingTimeInterval(1000)
            var results: [FailedSignIn] = []
            for second in 0..<5 {
                results.append(try await store.users.recordFailedSignIn(id: user.id, window: 900, limit: 5, lockFor: nil, now: later.addingTimeInterval(Double(second))))
            }
            #expect(results.map(\.failures) == [1, 2, 3, 4, 5])
            #expect(results.map(\.lockedNow) == [false, false, false, false, true])
            let locked = try #require(try await store.users.accountState(id: user.id))
            #expect(locked.isLocked(at: later.addingTimeInterval(86_400 * 30)), "no expiry: locked until an administrator unlocks it")
            #expect(locked.lockedUntil == nil)
            let sixth = try await store.users.recordFailedSignIn(id: user.id, window: 900, limit: 5, lockFor: nil, now: later.addingTimeInterval(10))
            #expect(!sixth.lockedNow, "an account is locked once")
            #expect(try await store.users.unlock(id: user.id))
            let unlocked = try #require(try await store.users.accountState(id: user.id))
            #expect(!unlocked.isLocked() && unlocked.failedLogins == 0)
            #expect(try await store.users.unlock(id: UUID()) == false)

            // With a lockout time, the lock lapses by itself.
            for second in 0..<5 {
                _ = try await store.users.recordFailedSignIn(id: user.id, window: 900, limit: 5, lockFor: 600, now: later.addingTimeInterval(Double(100 + second)))
            }
            let timed = try #require(try await store.users.credentials(username: "ofc"))
            #expect(timed.isLocked(at: later.addingTimeInterval(110)) && !timed.isLocked(at: later.addingTimeInterval(800)))
            try await store.users.recordSuccessfulSignIn(id: user.id, now: later.addingTimeInterval(900))
            let signedIn = try #require(try await store.users.accountState(id: user.id))
            #expect(signedIn.lastSignInAt == later.addingTimeInterval(900) && signedIn.lockedAt == nil)
            #expect(try await store.users.setPassword(id: user.id, passwordHash: "h2"))
            #expect(try await store.users.credentials(username: "ofc")?.passwordHash == "h2")
        }
    }

    @Test(arguments: Backend.allCases)
    func eachTimeStepAndRecoveryCodeIsAcceptedOnce(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let user = try await store.users.create(username: "ana", displayName: "Ana", role: .analyst, passwordHash: "h")
            #expect(try await store.users.acceptMFAStep(id: user.id, step: 100) == false, "no factor enrolled")
            #expect(try await store.users.startMFAEnrolment(id: user.id, sealedSecret: "sealed-1"))
            #expect(try await store.users.startMFAEnrolment(id: user.id, sealedSecret: "sealed-2"), "a restart replaces the pending secret")
            #expect(try await store.users.pendingMFASecret(id: user.id) == "sealed-2")
            #expect(try await store.users.confirmMFAEnrolment(id: user.id, sealedSecret: "sealed-1", step: 100, recoveryCodeHashes: ["x"]) == false)
            #expect(try await store.users.confirmMFAEnrolment(id: user.id, sealedSecret: "sealed-2", step: 100, recoveryCodeHashes: ["r1", "r2"]))
            #expect(try await store.users.pendingMFASecret(id: user.id) == nil)
            let account = try #require(try await store.users.credentials(username: "ana"))
            #expect(account.sealedMFASecret == "sealed-2" && account.mfaLastStep == 100)
            #expect(try await store.users.accountState(id: user.id)?.mfaEnrolledAt != nil)

            #expect(try await store.users.acceptMFAStep(id: user.id, step: 100) == false, "the confirming code's step is used")
            #expect(try await store.users.acceptMFAStep(id: user.id, step: 101))
            #expect(try await store.users.acceptMFAStep(id: user.id, step: 101) == false, "replayed")
            #expect(try await store.users.acceptMFAStep(id: user.id, step: 99) == false, "older")

            #expect(try await store.users.useRecoveryCode(userID: user.id, codeHash: "r1"))
            #expect(try await store.users.useRecoveryCode(userID: user.id, codeHash: "r1") == false)
            #expect(try await store.users.useRecoveryCode(userID: user.id, codeHash: "nope") == false)

            #expect(try await store.users.resetMFA(id: user.id))
            #expect(try await store.users.useRecoveryCode(userID: user.id, codeHash: "r2") == false, "codes are dropped with the factor")
            let reset = try #require(try await store.users.credentials(username: "ana"))
            #expect(reset.sealedMFASecret == nil && reset.mfaLastStep == nil)
            #expect(try await store.users.accountState(id: user.id)?.mfaEnrolledAt == nil)
            #expect(try await store.users.resetMFA(id: UUID()) == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func aUsersOpenSessionsAreListedAndEndedTogether(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let user = try await store.users.create(username: "sup", displayName: "Sup", role: .supervisor, passwordHash: "h")
            let other = try await store.users.create(username: "oth", displayName: "Other", role: .officer, passwordHash: "h")
            let first = try await store.sessions.start(userID: user.id, source: "10.0.0.1")
            _ = try await store.sessions.start(userID: user.id, source: "10.0.0.2")
            let theirs = try await store.sessions.start(userID: other.id, source: "10.0.0.3")
            try await store.sessions.end(id: try #require(try await store.sessions.find(token: first)).id)
            let open = try await store.sessions.open(userID: user.id)
            #expect(open.map(\.source) == ["10.0.0.2"])
            #expect(try await store.sessions.endAll(userID: user.id) == 1)
            #expect(try await store.sessions.open(userID: user.id).isEmpty)
            #expect(try await store.sessions.find(token: theirs) != nil, "another user's sessions are untouched")
        }
    }
}
