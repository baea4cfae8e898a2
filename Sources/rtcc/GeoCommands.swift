import ArgumentParser
import Foundation
import RTCCGeo

/// `rtcc plan`: choose camera sites and headings that cover the most demand.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose where to put N new cameras (site and heading) to cover the most incident density or area.",
        discussion: """
            Demand is a Gaussian kernel density of --incidents (CSV: time,type,latitude,longitude) or uniform over --area \
            (GeoJSON polygon), on --cell metre cells. Cells existing cameras (--existing CSV) already see count as covered. \
            Prints the plan as GeoJSON (default) or CSV, or with --json a summary with the value and an upper bound on the optimum.
            """)

    @Option(help: "Candidate sites: CSV (latitude,longitude[,mount_height_m,name]) or GeoJSON Points.") var candidates: String
    @Option(help: "How many cameras to place.") var budget: Int
    @Option(help: "Horizontal field of view, degrees.") var fov = 90.0
    @Option(help: "Camera range, metres.") var range = 100.0
    @Option(help: "Headings to choose from, degrees, comma-separated.") var headings = "0,90,180,270"
    @Option(help: "Horizontal resolution in pixels (needed for --level).") var pixels: Int?
    @Option(help: "Count a cell only at this DORI level: detect, observe, recognise, identify.") var level: String?
    @Option(help: "Incidents CSV for kernel-density demand.") var incidents: String?
    @Option(help: "Kernel bandwidth for --incidents, metres.") var bandwidth = 100.0
    @Option(help: "Area GeoJSON polygon: uniform demand inside it (with --incidents: clips the density).") var area: String?
    @Option(help: "Demand cell size, metres.") var cell = 10.0
    @Option(help: "Existing cameras CSV (latitude,longitude,heading_deg,fov_deg,range_m,...).") var existing: String?
    @Option(help: "Building footprints GeoJSON (Polygon/MultiPolygon) that block sight lines.") var buildings: String?
    @Option(help: "Search: lazy-greedy+swaps, lazy-greedy or plain-greedy.") var strategy = PlacementStrategy.lazyGreedyWithSwaps.rawValue
    @Option(help: "Output format: geojson or csv.") var format = "geojson"
    @Option(help: "Write the output here instead of standard output.") var out: String?
    @Flag(help: "Print a JSON summary: value, upper_bound and the chosen sites.") var json = false
    @Option(help: "Also write the instance (demand weights and the cells each site-heading covers) as JSON, for checking.") var instanceOut: String?

    func validate() throws {
        guard budget > 0 else { throw ValidationError("--budget must be at least 1") }
        guard incidents != nil || area != nil else { throw ValidationError("give demand: --incidents FILE or --area FILE") }
        guard ["geojson", "csv"].contains(format) else { throw ValidationError("--format must be geojson or csv") }
        guard PlacementStrategy(rawValue: strategy) != nil else { throw ValidationError("--strategy must be lazy-greedy+swaps, lazy-greedy or plain-greedy") }
        if let level, DORILevel(name: level) == nil { throw ValidationError("--level must be detect, observe, recognise or identify") }
        guard parsedHeadings() != nil else { throw ValidationError("--headings must be comma-separated degrees, such as 0,90,180,270") }
    }

    func parsedHeadings() -> [Double]? {
        let values = headings.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0?.isFinite ?? false }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() async throws {
        let sites = try read(candidates, "--candidates") { try SiteFile.parse($0) }
        let centre = Coordinate(
            latitude: sites.map(\.position.latitude).reduce(0, +) / Double(sites.count),
            longitude: sites.map(\.position.longitude).reduce(0, +) / Double(sites.count))
        let projection = LocalProjection(origin: centre)
        let areaPolygon = try area.map { file in
            let polygons = try read(file, "--area") { try GeoJSONReader.polygons($0) }
            guard polygons.count == 1, let polygon = polygons.first else { throw CLIError("--area \(file): give exactly one polygon (found \(polygons.count))") }
            return polygon.projected(projection)
        }
        let demand: DemandGrid
        do {
            if let incidents {
                let events = try read(incidents, "--incidents") { try IncidentFile.parseCSV(String(decoding: $0, as: UTF8.self)) }
                demand = try DemandGrid.kernelDensity(
                    incidents: events.map { projection.project($0.location) }, cellSize: cell, bandwidth: bandwidth, area: areaPolygon)
            } else if let areaPolygon {
                demand = try DemandGrid.uniform(over: areaPolygon, cellSize: cell)
            } else {
                throw CLIError("give demand: --incidents FILE or --area FILE")
            }
        } catch let error as PlanningError {
            throw CLIError(error.description)
        }
        let cameras = try existing.map { file in try read(file, "--existing") { try CameraFile.parseCSV(String(decoding: $0, as: UTF8.self)) } } ?? []
        let footprints = try buildings.map { file in
            BuildingIndex(footprints: try read(file, "--buildings") { try GeoJSONReader.polygons($0) }.map { $0.projected(projection) })
        }
        let option = CameraOption(
            fieldOfView: fov, range: range, headings: parsedHeadings() ?? [], horizontalPixels: pixels, requiredLevel: level.flatMap(DORILevel.init(name:)))
        let problem: PlacementProblem
        do {
            problem = try PlacementProblem(
                projection: projection, sites: sites, option: option, demand: demand, budget: budget, existing: cameras, buildings: footprints)
        } catch {
            throw CLIError(error.description)
        }
        let plan = PlacementOptimizer.solve(problem, strategy: PlacementStrategy(rawValue: strategy) ?? .lazyGreedyWithSwaps)
        if let instanceOut { try write(instance(problem), to: instanceOut) }
        let output: Data
        if json {
            output = PlanWriter.summary(plan) + Data("\n".utf8)
        } else if format == "csv" {
            output = Data(PlanWriter.csv(plan).utf8)
        } else {
            output = PlanWriter.geoJSON(plan, option: option, projection: projection) + Data("\n".utf8)
        }
        if let out { try write(output, to: out) } else { FileHandle.standardOutput.write(output) }
    }

    func instance(_ problem: PlacementProblem) throws -> Data {
        let options = problem.sites.indices.flatMap { site in
            problem.option.headings.indices.map { heading -> [String: Any] in
                ["site": site, "heading": heading, "cells": problem.coveredCells(site: site, heading: heading)]
            }
        }
        return try JSONSerialization.data(withJSONObject: ["budget": problem.budget, "weights": problem.remainingWeights, "options": options])
    }

    func read<T>(_ path: String, _ flag: String, _ parse: (Data) throws -> T) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(flag) \(path): cannot read the file") }
        do {
            return try parse(data)
        } catch let error as InterchangeError {
            throw CLIError("\(flag) \(path):\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot write \(path): \(error.localizedDescription)") }
    }
}

/// `rtcc bench geo`: RTCCGeo's three performance targets against simpler peers.
struct BenchGeo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo",
        abstract: "Who-could-see queries (vs a linear scan), a coverage raster (vs point queries) and camera placement (vs plain greedy).",
        discussion: "Instances are synthetic and seeded, so every run measures the same work. Build with -c release.")

    @Option(help: "Cameras for who-could-see.") var cameras = 100_000
    @Option(help: "Cameras for the coverage raster.") var rasterCameras = 1000
    @Option(help: "Raster cell size, metres.") var resolution = 2.0
    @Option(help: "Candidate sites for placement.") var candidates = 10_000
    @Option(help: "Demand cells for placement.") var demandCells = 1_000_000
    @Option(help: "Cameras to place.") var budget = 90
    @Option(help: "Tasks for the raster.") var parallelism = 2
    @Option(help: "Only one part: see, raster or plan.") var only: String?

    func run() async throws {
        if only == nil || only == "see" { for line in GeoBenchmark.whoCouldSee(cameras: cameras).lines { say(line) } }
        if only == nil || only == "raster" {
            for line in await GeoBenchmark.coverage(cameras: rasterCameras, resolution: resolution, parallelism: parallelism).lines { say(line) }
        }
        if only == nil || only == "plan" { for line in GeoBenchmark.placement(candidates: candidates, demandCells: demandCells, budget: budget).lines { say(line) } }
    }
}
