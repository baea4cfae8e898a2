import Foundation
import RTCCCore
import Testing

@Suite struct NetworkPolicyTests {
    static func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test(arguments: ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.10", "100.64.0.7", "::1", "fd12:3456::1"])
    func theDefaultAllowsLoopbackAndPrivateAddresses(_ address: String) throws {
        #expect(NetworkPolicy.default.allows(try Self.ip(address)))
    }

    @Test(arguments: ["8.8.8.8", "172.32.0.1", "192.0.2.10", "2001:db8::1", "100.128.0.1"])
    func theDefaultRefusesPublicAddresses(_ address: String) throws {
        let refusal = try #require(NetworkPolicy.default.refusal(of: try Self.ip(address)))
        #expect(refusal.contains("outboundNetworks"))
    }

    @Test(arguments: ["169.254.169.254", "169.254.0.1", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254", "0.0.0.0", "224.0.0.1", "::"])
    func linkLocalAndMetadataAddressesAreRefusedEvenWhenListed(_ address: String) throws {
        let everything = try NetworkPolicy(parsing: "0.0.0.0/0, ::/0")
        #expect(!everything.allows(try Self.ip(address)))
        #expect(NetworkPolicy.alwaysRefusedReason(host: address) != nil)
    }

    @Test func aListedPublicNetworkIsAllowed() throws {
        let policy = try NetworkPolicy(parsing: "203.0.113.0/24,2001:db8:1::/48")
        #expect(policy.allows(try Self.ip("203.0.113.77")))
        #expect(!policy.allows(try Self.ip("203.0.114.1")))
        #expect(policy.allows(try Self.ip("2001:db8:1:ffff::1")))
        #expect(!policy.allows(try Self.ip("2001:db8:2::1")))
        #expect(!policy.allows(try Self.ip("10.0.0.1")), "only what is listed")
    }

    @Test func cidrPrefixesMatchBitByBit() throws {
        let block = try CIDRBlock(parsing: "172.16.0.0/12")
        #expect(block.contains(try Self.ip("172.31.1.1")))
        #expect(!block.contains(try Self.ip("172.32.1.1")))
        #expect(!block.contains(try Self.ip("::ffff:ac20:0101")))
        #expect(block.contains(try Self.ip("::ffff:172.20.0.1")), "IPv4-mapped IPv6 reads as IPv4")
        #expect(try CIDRBlock(parsing: "10.0.0.9").description == "10.0.0.9/32")
        #expect(try CIDRBlock(parsing: "fd00:ec2::254").description == "fd00:ec2::254/128")
        #expect(try CIDRBlock(parsing: "fc00::/7").contains(try Self.ip("fdff::1")))
    }

    @Test(arguments: ["10.0.0.0/33", "fc00::/129", "10.0.0/8", "example.org/8", "10.0.0.0/8/1", "10.0.0.0/x"])
    func badNetworksAreRefusedWithTheValue(_ text: String) {
        #expect(throws: CIDRBlock.ParseError.self) { try NetworkPolicy(parsing: text) }
    }

    @Test func metadataHostNamesAreRefusedBeforeResolution() {
        #expect(throws: OutboundRefusal.self) { try NetworkPolicy.default.check(host: "metadata.google.internal") }
        #expect(NetworkPolicy.alwaysRefusedReason(host: "METADATA.google.internal.") != nil)
    }

    @Test func everyResolvedAddressIsChecked() throws {
        // localhost resolves to loopback only: allowed by default, refused by a policy without loopback.
        #expect(try !NetworkPolicy.default.check(host: "localhost").isEmpty)
        #expect(throws: OutboundRefusal.self) { try NetworkPolicy(parsing: "10.0.0.0/8").check(host: "localhost") }
        #expect(throws: OutboundRefusal.self) { try NetworkPolicy.default.check(host: "no-such-host.invalid") }
    }
}

@Suite struct StreamURLSecretsTests {
    @Test func queryStringCredentialsAreSplitOffAndPutBackOnlyToConnect() throws {
        let url = try StreamURL(
            parsing: "rtsp://10.0.0.5:554/cam/realmonitor?channel=1&user=admin&PASSWORD=hunter%262&subtype=0", field: "mainStreamURL")
        #expect(url.address == "rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=0")
        let credentials = try #require(url.credentials)
        #expect(credentials.query == [StreamQueryCredential(name: "user", value: "admin"), StreamQueryCredential(name: "PASSWORD", value: "hunter%262")])
        #expect(credentials.username.isEmpty && credentials.password.isEmpty)
        #expect(
            StreamURL.withCredentials(url.address, credentials)
                == "rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=0&user=admin&PASSWORD=hunter%262")
    }

    @Test func userInformationAndQueryCredentialsTogether() throws {
        let url = try StreamURL(parsing: "rtsp://op:pw@10.0.0.5/Streaming/Channels/101?token=abc", field: "mainStreamURL")
        #expect(url.address == "rtsp://10.0.0.5/Streaming/Channels/101")
        #expect(StreamURL.withCredentials(url.address, url.credentials) == "rtsp://op:pw@10.0.0.5/Streaming/Channels/101?token=abc")
    }

    @Test func credentialsSealedBeforeQueryParametersStillOpen() throws {
        let cipher = try CredentialCipher(base64Key: CredentialCipher.generateKey())
        struct Old: Encodable { var main: [String: String] }
        let sealed = try cipher.seal(Old(main: ["username": "u", "password": "p"]))
        let secrets = try cipher.open(CameraSecrets.self, from: sealed)
        #expect(secrets.main == StreamCredentials(username: "u", password: "p"))
        #expect(secrets.allowPlainBasicAuth == nil)
    }

    @Test func redactedURLsShowNoSecret() {
        #expect(StreamURL.redacted("rtsp://root:pw@10.0.0.5/a?user=x&pwd=y&channel=2") == "rtsp://***@10.0.0.5/a?user=***&pwd=***&channel=2")
    }

    @Test func rtspsIsRefusedAtRegistrationWithWhatToDo() {
        #expect {
            try StreamURL(parsing: "rtsps://10.0.0.5:322/main", field: "mainStreamURL")
        } throws: { error in
            let errors = (error as? ValidationError)?.errors ?? []
            return errors.first?.field == "mainStreamURL" && errors.first?.reason.contains("rtsps is not supported yet; use rtsp with Digest") == true
        }
    }

    @Test(arguments: ["rtsp://169.254.169.254/latest", "rtsp://[fe80::1]/cam", "rtsp://metadata.google.internal/x", "rtsp://[::ffff:169.254.1.1]/a"])
    func linkLocalAndMetadataCameraHostsAreRefused(_ text: String) {
        #expect(throws: ValidationError.self) { try StreamURL(parsing: text, field: "mainStreamURL") }
        let draft = CameraDraft(name: "x", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), subStreamURL: text)
        #expect {
            try draft.validated()
        } throws: { error in
            (error as? ValidationError)?.errors.contains { $0.field == "subStreamURL" && $0.reason.contains("never connected to") } == true
        }
    }
}
