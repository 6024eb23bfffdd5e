using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Faults;

/// <summary>What one engine measured.</summary>
internal sealed record EngineResult
{
    public required string Engine { get; init; }
    /// <summary>Milliseconds of every mutating call of the churn, by operation (create, stop, delete).</summary>
    public required IReadOnlyDictionary<string, List<double>> Mutating { get; init; }
    public required int Errors { get; init; }
    public required double FillSeconds { get; init; }
    public required int Listed { get; init; }
    public required long ListBytes { get; init; }
    public required IReadOnlyList<double> ListMs { get; init; }
    public IEnumerable<double> AllMutating => Mutating.Values.SelectMany(v => v);
}

/// <summary>
/// The store's cost as the API's users feel it, on SQLite (one `chas server`, its default) and on PostgreSQL (one
/// `chas server --store` on a private PostgreSQL) in one run: mutating calls at a steady 20 per second (task
/// create, stop, delete in turn, an open loop: each call starts on its tick whether or not earlier ones have
/// answered), then the time to list 10,000 pending tasks. The tasks select a label no node has, so they stay
/// pending (the pending timeout, 5 min, is longer than the run) and nothing but the API and the store works.
/// </summary>
internal static class StoreLatencyBench
{
    private const double WritesPerSecond = 20;
    private const double MutatingP99TargetMs = 50, ListTargetMs = 300;
    private const int FillParallelism = 16, WarmupCalls = 30;
    private static readonly IReadOnlyDictionary<string, string> NoNode = new Dictionary<string, string> { ["bench"] = "no-such-node" };
    private static readonly string[] Operations = ["create", "stop", "delete"];

    public static async Task<int> RunAsync(FaultsOptions options, Action<string> progress, CancellationToken ct)
    {
        var loadAtStart = Machine.LoadAverage();
        EngineResult sqlite, postgres;
        await using (var server = await ChasServerProcess.StartAsync(HaCluster.ServerSettings(options, "chas-bench-sqlite-")))
        {
            progress($"SQLite: chas server at {server.Url}");
            sqlite = await MeasureAsync("SQLite", server, options, progress, ct);
        }
        await using (var pg = await PostgresServer.StartAsync())
        {
            var database = await pg.CreateDatabaseAsync("chas_latency");
            await using var server = await ChasServerProcess.StartAsync(HaCluster.ServerSettings(options, "chas-bench-pg-"), "--store", pg.UriFor(database));
            progress($"PostgreSQL: chas server at {server.Url} on {pg.UriFor(database)}");
            postgres = await MeasureAsync("PostgreSQL", server, options, progress, ct);
        }
        Write(Console.Out, options, loadAtStart, sqlite, postgres);
        return 0;
    }

    private static CreateTaskRequest Pending(string name) => new()
    {
        Name = name, Image = LeaderKillRounds.Image, Command = ["sleep", "infinity"], CpuMillis = 100, MemoryBytes = 64 << 20, NodeSelector = NoNode,
    };

    private static async Task<EngineResult> MeasureAsync(string engine, ChasServerProcess server, FaultsOptions options, Action<string> progress, CancellationToken ct)
    {
        using var client = new ChasClient(server.Url, server.AdminToken);
        for (var i = 0; i < WarmupCalls; i++)
        {
            await client.CreateTaskAsync(Pending($"warm-{i:D3}"), ct);
            await client.DeleteTaskAsync($"warm-{i:D3}", force: true, ct: ct);
        }

        var samples = Operations.ToDictionary(op => op, _ => new ConcurrentBag<double>());
        var errors = 0;
        var ticks = (int)(options.Duration.TotalSeconds * WritesPerSecond);
        var calls = new List<Task>(ticks);
        var started = Stopwatch.GetTimestamp();
        for (var k = 0; k < ticks; k++)
        {
            var due = TimeSpan.FromSeconds(k / WritesPerSecond) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            var (op, j) = (Operations[k % 3], k / 3);
            // Stop the task created 5 cycles ago and delete the one created 10 ago: both long answered.
            Func<Task>? call = op switch
            {
                "create" => () => client.CreateTaskAsync(Pending($"churn-{j:D5}"), ct),
                "stop" when j >= 5 => () => client.StopTaskAsync($"churn-{j - 5:D5}", ct: ct),
                "delete" when j >= 10 => () => client.DeleteTaskAsync($"churn-{j - 10:D5}", force: true, ct: ct),
                _ => null,
            };
            if (call is null) continue;
            calls.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    await call();
                    samples[op].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
                catch (ChasApiException)
                {
                    Interlocked.Increment(ref errors);
                }
            }, ct));
        }
        await Task.WhenAll(calls);
        progress($"{engine}: {calls.Count} mutating calls in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; filling {options.Objects} pending tasks");

        var filling = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Objects), new ParallelOptions { MaxDegreeOfParallelism = FillParallelism, CancellationToken = ct },
            async (i, token) => await client.CreateTaskAsync(Pending($"list-{i:D5}"), token));
        var fillSeconds = Stopwatch.GetElapsedTime(filling).TotalSeconds;

        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        var listMs = new List<double>();
        byte[] body = [];
        // One untimed list first: the first call of a path pays for compilation, which no steady server does.
        for (var i = 0; i <= options.Lists; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            body = await http.GetByteArrayAsync(new Uri("api/v1/tasks", UriKind.Relative), ct);
            if (i > 0) listMs.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }
        var listed = JsonSerializer.Deserialize(body, ChasJsonContext.Default.ResourceListTaskResource)?.Items.Count ?? 0;
        progress($"{engine}: filled in {fillSeconds:0.0} s; listed {listed} tasks {options.Lists} times");
        return new EngineResult
        {
            Engine = engine, Mutating = samples.ToDictionary(p => p.Key, p => p.Value.ToList()), Errors = errors,
            FillSeconds = fillSeconds, Listed = listed, ListBytes = body.Length, ListMs = listMs,
        };
    }

    private static void Write(TextWriter o, FaultsOptions options, string? loadAtStart, EngineResult sqlite, EngineResult postgres)
    {
        string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
        string Ratio(double pg, double lite) => (pg / lite).ToString("0.00", CultureInfo.InvariantCulture);
        void Line(string what, double lite, double pg, string target = "", bool? met = null) =>
            o.WriteLine($"  {what,-34} {F(lite),10} {F(pg),12} {Ratio(pg, lite),8}   {target}{(met is null ? "" : met.Value ? "  met" : "  MISSED")}");

        o.WriteLine($"machine: {Machine.Describe(loadAtStart)}");
        o.WriteLine($"servers: one `chas server` on SQLite (its data directory), then one `chas server --store` on a private PostgreSQL (fsync off)");
        o.WriteLine($"churn: {WritesPerSecond:0} mutating calls/s for {options.Duration.TotalSeconds:0} s (task create, stop, delete in turn; open loop), after {WarmupCalls} untimed creates+deletes");
        o.WriteLine($"list: GET /api/v1/tasks of {options.Objects} pending tasks (+ what the churn left), {options.Lists} times after one untimed; the whole body read");
        o.WriteLine();
        o.WriteLine($"  {"(ms)",-34} {"SQLite",10} {"PostgreSQL",12} {"PG/SQLite",8}   target");
        foreach (var op in Operations)
        {
            var (lite, pg) = (sqlite.Mutating[op], postgres.Mutating[op]);
            Line($"{op} p50 (n {lite.Count} / {pg.Count})", Percentiles.Of(lite, 0.5), Percentiles.Of(pg, 0.5));
            Line($"{op} p99", Percentiles.Of(lite, 0.99), Percentiles.Of(pg, 0.99));
        }
        List<double> liteAll = [.. sqlite.AllMutating], pgAll = [.. postgres.AllMutating];
        Line("mutating p50", Percentiles.Of(liteAll, 0.5), Percentiles.Of(pgAll, 0.5));
        Line("mutating p99", Percentiles.Of(liteAll, 0.99), Percentiles.Of(pgAll, 0.99), $"<= {MutatingP99TargetMs:0} ms on both",
            Percentiles.Of(liteAll, 0.99) <= MutatingP99TargetMs && Percentiles.Of(pgAll, 0.99) <= MutatingP99TargetMs);
        Line("mutating max", liteAll.DefaultIfEmpty().Max(), pgAll.DefaultIfEmpty().Max());
        Line($"list p50 ({sqlite.Listed} / {postgres.Listed} tasks)", Percentiles.Of(sqlite.ListMs, 0.5), Percentiles.Of(postgres.ListMs, 0.5), $"<= {ListTargetMs:0} ms on both",
            Percentiles.Of(sqlite.ListMs, 0.5) <= ListTargetMs && Percentiles.Of(postgres.ListMs, 0.5) <= ListTargetMs);
        Line("list max", sqlite.ListMs.Max(), postgres.ListMs.Max());
        o.WriteLine();
        o.WriteLine($"errors during the churn: SQLite {sqlite.Errors}, PostgreSQL {postgres.Errors}; list body {sqlite.ListBytes / 1024} / {postgres.ListBytes / 1024} KiB");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"filling {options.Objects} pending tasks, 16 creates at a time: SQLite {sqlite.FillSeconds:0.0} s ({options.Objects / sqlite.FillSeconds:0}/s), PostgreSQL {postgres.FillSeconds:0.0} s ({options.Objects / postgres.FillSeconds:0}/s)"));
    }
}
