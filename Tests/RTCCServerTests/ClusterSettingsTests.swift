import Foundation
import RTCCServer
import Testing

/// The cluster settings as an administrator gives them: environment, config file, flags.
@Suite struct ClusterSettingsTests {
    @Test func aNodeTakesItsSettingsFromTheEnvironment() throws {
        var config = AppConfig()
        try config.apply(environment: [
            "RTCC_DATABASE": "postgres://rtcc@127.0.0.1:5432/rtcc", "RTCC_NODE": "rec-2", "RTCC_NODE_CAPACITY": "150",
            "RTCC_NODE_ROLES": "record", "RTCC_NODE_URL": "http://10.0.0.12:8080", "RTCC_LEASE_SECONDS": "2.5",
            "RTCC_CLUSTER_SECRET": String(repeating: "s", count: 32), "RTCC_SHARED_STORAGE": "true",
        ])
        try config.validate()
        #expect(config.cluster.nodeName == "rec-2")
        #expect(config.cluster.capacity == 150)
        #expect(config.cluster.roles == ["record"])
        #expect(config.cluster.url == "http://10.0.0.12:8080")
        #expect(config.cluster.leaseSeconds == 2.5)
        #expect(config.cluster.sharedStorage)
        #expect(config.cluster.isNode && config.cluster.records)
    }

    @Test func clusterModeOnSQLiteIsRefusedWithWhatToDo() throws {
        var config = AppConfig()
        try config.set("nodeName", "a", from: "--node")
        #expect {
            try config.validate()
        } throws: { error in
            "\(error)".contains("needs PostgreSQL") && "\(error)".contains("--database postgres://")
        }
    }

    @Test(arguments: [
        ("nodeName", "has space"), ("nodeName", "-leading"), ("nodeName", String(repeating: "n", count: 64)), ("nodeCapacity", "0"),
        ("nodeRoles", "record,view"), ("nodeURL", "ftp://x"), ("leaseSeconds", "0.5"), ("clusterSecret", "short"), ("sharedStorage", "maybe"),
    ])
    func badClusterSettingsAreRefusedNamingTheSetting(_ setting: String, _ value: String) {
        var config = AppConfig()
        #expect {
            try config.set(setting, value, from: "environment variable X")
        } throws: { error in
            "\(error)".hasPrefix("environment variable X: ")
        }
    }
}
