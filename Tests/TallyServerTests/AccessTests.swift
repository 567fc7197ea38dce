import Foundation
import Glibc
import Testing

@Suite(.serialized) struct AccessTests {
    @Test func nonLoopbackWithoutTokensIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        for address in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8088"] {
            let outcome = try tally(["serve", "--snapshot", scratch.snapshots, "--listen", address])
            #expect(outcome.status == 2, "\(address): \(outcome.error)")
            #expect(outcome.error.contains("--token-file"), "\(address): \(outcome.error)")
            #expect(outcome.error.split(separator: "\n").count == 1)
        }
        let bad = try tally(["serve", "--snapshot", scratch.snapshots, "--listen", "localhost"])
        #expect(bad.status == 2)
        #expect(bad.error.contains("--listen"))
    }

    @Test func tokenFileReadableByOthersIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = scratch.path + "/tokens"
        try "secret-token-1\n".write(toFile: file, atomically: true, encoding: .utf8)
        for mode in [0o644, 0o640, 0o604, 0o660] {
            chmod(file, mode_t(mode))
            let outcome = try tally(["serve", "--snapshot", scratch.snapshots, "--listen", "0.0.0.0:0", "--token-file", file])
            #expect(outcome.status == 2, "mode \(String(mode, radix: 8)): \(outcome.error)")
            #expect(outcome.error.contains("chmod 600"), "\(outcome.error)")
        }
        chmod(file, 0o600)
        let link = scratch.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let linked = try tally(["serve", "--snapshot", scratch.snapshots, "--listen", "0.0.0.0:0", "--token-file", link])
        #expect(linked.status == 2)
        #expect(linked.error.contains("symbolic link"))
        let empty = scratch.path + "/empty"
        try "# only a comment\n\n".write(toFile: empty, atomically: true, encoding: .utf8)
        chmod(empty, 0o600)
        let none = try tally(["serve", "--snapshot", scratch.snapshots, "--listen", "0.0.0.0:0", "--token-file", empty])
        #expect(none.status == 2)
        #expect(none.error.contains("no token"))
        let missing = try tally(["serve", "--snapshot", scratch.snapshots, "--token-file", scratch.path + "/absent"])
        #expect(missing.status == 2)
    }

    @Test func withTokensEveryRequestButHealthzNeedsOne() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try scratch.replaySampleLogs()
        let file = scratch.path + "/tokens"
        try "# tokens\nfirst-token\n\n  second-token  \n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let server = try RunningServer(snapshot: scratch.snapshots, extra: ["--token-file", file], log: scratch.path + "/serve.log")
        defer { server.stop() }

        for path in ["/", "/api/v1/summary", "/metrics", "/api/v1/stream", "/sessions", "/api/v1/nothing"] {
            let answer = try server.get(path)
            #expect(answer.status == 401, "\(path)")
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.body.contains("\"error\""))
        }
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "Bearer first-toke"]).status == 401)
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "Basic Zmlyc3QtdG9rZW4="]).status == 401)
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "Bearer first-token"]).status == 200)
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "Bearer second-token"]).status == 200)
        // The scheme is case-insensitive; with tokens, any Host is answered (the token is the check).
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "bearer first-token"]).status == 200)
        #expect(try server.get("/api/v1/summary", headers: ["Authorization": "Bearer first-token", "Host": "tally.example.com"]).status == 200)
        #expect(try server.get("/healthz").status == 200)

        // The dashboard takes the token once and keeps it in an HttpOnly, SameSite=Strict cookie.
        let login = try server.get("/sessions?status=FAILED&token=second-token")
        #expect(login.status == 303)
        #expect(login.header("Location") == "/sessions?status=FAILED")
        let cookie = try #require(login.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let pair = String(cookie.split(separator: ";")[0])
        #expect(try server.get("/sessions?status=FAILED", headers: ["Cookie": pair]).status == 200)
        #expect(try server.get("/", headers: ["Cookie": "tally_token=nope"]).status == 401)
        #expect(try server.get("/?token=nope").status == 401)
        // The redirect stays on this server, whatever the path's slashes say.
        let offsite = try server.get("//evil.example/?token=first-token")
        #expect(offsite.status == 303)
        #expect(offsite.header("Location") == "/evil.example/")
    }

    @Test func withoutTokensOnlyLoopbackHostNamesAreAnswered() throws {
        try withServedSampleLogs { scratch, server in
            for host in ["127.0.0.1", "127.0.0.1:\(server.port)", "localhost:\(server.port)", "LOCALHOST", "[::1]:\(server.port)", "127.1.2.3"] {
                #expect(try server.get("/api/v1/summary", headers: ["Host": host]).status == 200, "\(host)")
            }
            // A page whose own name resolves to 127.0.0.1 (DNS rebinding) must not read the sessions.
            for host in ["attacker.example:\(server.port)", "attacker.example", "127.0.0.1.attacker.example", "[::2]:80", "localhost.evil", "[::1]evil.example", "localhost:evil", "127.0.0.1:", "127.0.0.1:99999"] {
                let answer = try server.get("/api/v1/sessions", headers: ["Host": host])
                #expect(answer.status == 403, "\(host)")
                #expect(answer.header("Content-Type") == "application/json")
                #expect(!answer.body.contains("session_id"), "\(host)")
            }
        }
    }

    /// Sends `text` as it is on a new connection and reads until the server closes it (waiting at
    /// most 90 s, generously: no timing is asserted). Returns what came back and whether it closed.
    static func sendRaw(_ text: String, port: Int) throws -> (received: String, closed: Bool) {
        let fd = try HTTPAnswer.connect(port: port)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var wait = timeval(tv_sec: 90, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), count == 0) }
            received += buffer[0..<count]
        }
    }

    @Test func aConnectionThatNeverCompletesItsRequestIsClosed() throws {
        try withServedSampleLogs { _, server in
            // Closed after the idle timeout (20 s), with nothing sent back.
            let (received, closed) = try Self.sendRaw("GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1\r\n", port: server.port)
            #expect(closed, "the stalled connection was not closed (errno \(errno))")
            #expect(received.isEmpty)
            #expect(try server.get("/healthz").status == 200)
        }
    }

    @Test func gracefulShutdownExitsZero() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try scratch.replaySampleLogs()
        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        // A live stream open at the moment of the signal ends instead of holding the server up.
        let fd = try HTTPAnswer.connect(port: server.port)
        defer { close(fd) }
        HTTPAnswer.send(fd, path: "/api/v1/stream", headers: [:])
        let stream = SSEReader(fd: fd)
        #expect(stream.nextEvent(seconds: 30) != nil)
        #expect(server.stop() == 0)
        #expect(!server.log.contains("error"), "\(server.log)")
    }

    @Test func aRequestWithABodyIsRefusedAndItsConnectionClosed() throws {
        try withServedSampleLogs { _, server in
            // A body announced and sent a byte at a time would hold the connection open.
            let (received, closed) = try Self.sendRaw(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\na", port: server.port)
            #expect(closed, "the connection was not closed (errno \(errno))")
            #expect(received.hasPrefix("HTTP/1.1 413"), "\(received)")
            #expect(try server.get("/healthz").status == 200)
        }
    }
}
