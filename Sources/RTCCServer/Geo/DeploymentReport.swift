import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// The after-event report of a temporary deployment: how its cameras recorded, what coverage the area really had
/// (cameras that were recording, sampled across the window) against what was planned and what the permanent cameras
/// alone give, the incidents in the area and whether they were seen and recorded, outages, alerts and evidence.
struct DeploymentReport: Sendable {
    /// How many instants of the window the achieved coverage is sampled at.
    static let coverageSamples = 24
    /// The most raster cells all samples together may cost.
    static let sampleCellBudget = 40_000_000

    /// One camera's recording over the window.
    struct CameraLine: Sendable {
        var camera: Camera
        var isEventCamera: Bool
        var recorded: [DateInterval]
        var outages: Int
        var recordedSeconds: Double { recorded.reduce(0) { $0 + $1.duration } }
    }

    /// Builds the report for `deployment` as of `now` at `resolution` metres.
    static func build(_ deployment: Deployment, index: SightingIndex, store: Store, resolution: Double, now: Date) async throws -> [String: Any] {
        let projection = index.index.projection
        let polygon: GeoPolygon
        do {
            polygon = try SightingIndex.polygon(deployment.area)
        } catch {
            throw ValidationError(field: "polygon", reason: "the deployment's stored area is invalid: \(error.description)")
        }
        let area = polygon.projected(projection)
        try CoverageAnalysis.check(resolution: resolution, area: area)
        let box = area.boundingBox
        let start = deployment.startsAt
        let elapsedEnd = min(deployment.endsAt, max(now, start))
        let eventCameras = Set(deployment.cameraIDs)

        // Every camera whose view reaches the area and that was active during the window, with its recording.
        var lines: [CameraLine] = []
        var planar: [PlanarCamera] = []
        for (offset, camera) in index.cameras.enumerated() {
            let view = index.index.cameras[offset]
            let reach = view.boundingBox
            guard reach.maxX >= box.minX, reach.minX <= box.maxX, reach.maxY >= box.minY, reach.minY <= box.maxY,
                camera.isActive(from: start, until: deployment.endsAt) || eventCameras.contains(camera.id)
            else { continue }
            var recorded: [DateInterval] = []
            var outages = 0
            if elapsedEnd > start {
                for segment in try await store.segments.list(cameraID: camera.id, stream: "main", from: start, until: elapsedEnd) {
                    recorded += Self.clip(segment, from: start, until: elapsedEnd)
                }
                outages = try await store.cameraEvents.list(cameraID: camera.id, from: start, until: elapsedEnd).filter { $0.kind == "offline" }.count
            }
            lines.append(CameraLine(camera: camera, isEventCamera: eventCameras.contains(camera.id), recorded: Self.merged(recorded), outages: outages))
            planar.append(view)
        }
        let linkedMissing = deployment.cameraIDs.filter { id in !lines.contains { $0.camera.id == id } }

        // Coverage: permanent cameras alone, as planned (with the event's cameras), and as achieved while recording.
        func raster(_ cameras: [PlanarCamera]) async throws -> CoverageRaster {
            do {
                return try await CoverageRaster.compute(area: area, resolution: resolution, cameras: cameras, buildings: index.index.buildings)
            } catch {
                throw ValidationError(field: "polygon", reason: error.description)
            }
        }
        let permanent = try await raster(zip(lines, planar).filter { !$0.0.isEventCamera }.map(\.1))
        let planned = try await raster(planar)
        var achieved: [String: Any] = ["sampled": false]
        if elapsedEnd > start {
            let cells = max(planned.cellsInArea, 1)
            let samples = max(1, min(coverageSamples, sampleCellBudget / cells))
            let span = elapsedEnd.timeIntervalSince(start)
            var fractions: [Double] = []
            var levelSums = [Double](repeating: 0, count: DORILevel.allCases.count)
            var worst: (fraction: Double, at: Date, recording: Int)?
            for sample in 0..<samples {
                let instant = start.addingTimeInterval(span * (Double(sample) + 0.5) / Double(samples))
                let recording = zip(lines, planar).filter { line, _ in line.recorded.contains { $0.start <= instant && instant < $0.end } }.map(\.1)
                let moment = try await raster(recording)
                let fraction = moment.coveredFraction()
                fractions.append(fraction)
                for (position, level) in DORILevel.allCases.enumerated() { levelSums[position] += moment.coveredFraction(at: level) }
                if worst.map({ fraction < $0.fraction }) ?? true { worst = (fraction, instant, recording.count) }
            }
            var levels: [String: Double] = ["any": Self.percent(fractions.reduce(0, +) / Double(samples))]
            for (position, level) in DORILevel.allCases.enumerated() { levels[level.name] = Self.percent(levelSums[position] / Double(samples)) }
            achieved = [
                "sampled": true, "samples": samples, "through": elapsedEnd.formatted(.iso8601), "coveredPercent": levels,
                "lowestPercent": Self.percent(worst?.fraction ?? 0), "lowestAt": worst?.at.formatted(.iso8601) ?? NSNull(),
                "camerasRecordingAtLowest": worst?.recording ?? 0,
            ]
        }

        // Incidents stored inside the area during the window: seen by a camera in view, and recorded at that moment?
        var incidentRows: [[String: Any]] = []
        var verdicts: [String: Int] = ["recorded": 0, "inViewNotRecorded": 0, "gap": 0]
        let incidents = try await store.incidents.list(from: start, until: deployment.endsAt, category: nil, limit: 10_000, offset: 0).items
        for incident in incidents {
            let point = Coordinate(latitude: incident.location.latitude, longitude: incident.location.longitude)
            guard area.contains(projection.project(point)) else { continue }
            let sightings = index.sightings(of: point, from: incident.occurredAt, until: incident.occurredAt)
            let recordedBy = sightings.filter { sighting in
                lines.first { $0.camera.id == sighting.camera.id }?.recorded.contains { $0.start <= incident.occurredAt && incident.occurredAt < $0.end } ?? false
            }
            let verdict = sightings.isEmpty ? "gap" : recordedBy.isEmpty ? "inViewNotRecorded" : "recorded"
            verdicts[verdict, default: 0] += 1
            incidentRows.append([
                "time": incident.occurredAt.formatted(.iso8601), "category": incident.category.rawValue, "latitude": incident.location.latitude,
                "longitude": incident.location.longitude, "verdict": verdict, "inViewOf": sightings.map(\.camera.name),
                "recordedBy": recordedBy.map(\.camera.name),
            ])
        }

        // Evidence drawn from the area's cameras during the window.
        let cameraIDs = Set(lines.map(\.camera.id))
        let holds = try await store.holds.active().filter { hold in
            hold.from < deployment.endsAt && hold.until > start && (hold.cameraID.map(cameraIDs.contains) ?? true)
        }
        let exports = try await store.exportJobs.overlapping(from: start, until: deployment.endsAt).filter { !cameraIDs.isDisjoint(with: $0.cameraIDs) }
        var caseNumbers: [String] = []
        for caseID in Set(exports.map(\.caseID)) {
            if let found = try await store.cases.find(id: caseID) { caseNumbers.append(found.number) }
        }

        let windowSeconds = deployment.endsAt.timeIntervalSince(start)
        let elapsedSeconds = max(0, elapsedEnd.timeIntervalSince(start))
        let eventLines = lines.filter(\.isEventCamera)
        func levels(_ raster: CoverageRaster) -> [String: Double] {
            var result = ["any": Self.percent(raster.coveredFraction())]
            for level in DORILevel.allCases { result[level.name] = Self.percent(raster.coveredFraction(at: level)) }
            return result
        }
        return [
            "deployment": [
                "id": deployment.id.uuidString.lowercased(), "name": deployment.name, "startsAt": start.formatted(.iso8601),
                "endsAt": deployment.endsAt.formatted(.iso8601), "phase": deployment.phase(at: now).rawValue,
            ],
            "generatedAt": now.formatted(.iso8601), "windowSeconds": windowSeconds, "elapsedSeconds": elapsedSeconds,
            "eventCameras": [
                "linked": deployment.cameraIDs.count, "recorded": eventLines.filter { $0.recordedSeconds > 0 }.count,
                "meanUptimePercent": eventLines.isEmpty || elapsedSeconds == 0
                    ? 0 : Self.percent(eventLines.map { $0.recordedSeconds / elapsedSeconds }.reduce(0, +) / Double(eventLines.count)),
                "unusableGeometry": linkedMissing.map { $0.uuidString.lowercased() },
            ],
            "cameras": lines.map { line -> [String: Any] in
                [
                    "cameraID": line.camera.id.uuidString.lowercased(), "name": line.camera.name, "kind": line.camera.kind.rawValue,
                    "eventCamera": line.isEventCamera, "streamConfigured": line.camera.mainStreamURL != nil && line.camera.sharing == .live,
                    "recordedSeconds": (line.recordedSeconds * 10).rounded() / 10,
                    "uptimePercent": elapsedSeconds > 0 ? Self.percent(line.recordedSeconds / elapsedSeconds) : 0, "outages": line.outages,
                ]
            },
            "coverage": [
                "resolutionM": resolution, "cells": planned.cellsInArea, "permanentOnly": levels(permanent), "planned": levels(planned),
                "achieved": achieved,
            ],
            "incidents": ["total": incidentRows.count, "verdicts": verdicts, "items": incidentRows],
            "outages": lines.reduce(0) { $0 + $1.outages },
            "evidence": [
                "holds": holds.count, "holdReasons": holds.map(\.reason), "exports": exports.count,
                "packages": exports.filter { $0.state == .succeeded }.count, "cases": caseNumbers.sorted(),
            ],
        ]
    }

    /// The parts of `segment` inside `[from, until)`, less its gaps.
    static func clip(_ segment: SegmentRecord, from: Date, until: Date) -> [DateInterval] {
        let start = max(segment.start, from)
        let end = min(segment.end, until)
        guard end > start else { return [] }
        var pieces = [DateInterval(start: start, end: end)]
        for gap in segment.gaps {
            pieces = pieces.flatMap { piece -> [DateInterval] in
                guard gap.start < piece.end, gap.end > piece.start else { return [piece] }
                var kept: [DateInterval] = []
                if gap.start > piece.start { kept.append(DateInterval(start: piece.start, end: gap.start)) }
                if gap.end < piece.end { kept.append(DateInterval(start: gap.end, end: piece.end)) }
                return kept
            }
        }
        return pieces
    }

    /// `intervals` sorted with overlaps joined.
    static func merged(_ intervals: [DateInterval]) -> [DateInterval] {
        var result: [DateInterval] = []
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = result.last, interval.start <= last.end {
                result[result.count - 1] = DateInterval(start: last.start, end: max(last.end, interval.end))
            } else {
                result.append(interval)
            }
        }
        return result
    }

    static func percent(_ fraction: Double) -> Double { (fraction * 1000).rounded() / 10 }
}
