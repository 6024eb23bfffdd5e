// issue 19's benchmarks on a real `chas` and a private PostgreSQL:
//   faults          three `chas server --store` on one database: kill -9 the leader during parallel creates (rounds),
//                   restart PostgreSQL under write load; writes lost, duplicates, seconds until scheduling and the API are back
//   store-latency   one `chas server` on SQLite and one on PostgreSQL: mutating API latency under 20 writes/s of churn,
//                   and the time to list 10,000 tasks; both engines side by side
// Exit code 0 whether or not a target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using Chas.Bench.Faults;
using Chas.Testing.Benchmarks;

var options = FaultsOptions.Parse(args, Console.Error);
if (options is null) return 2;

// Ctrl-C or a kill stops measuring but still cleans up (BenchMain).
return await BenchMain.RunAsync(options.Verbose, (progress, ct) =>
    options.Mode == FaultsMode.Faults
        ? FaultsBench.RunAsync(options, progress, ct)
        : StoreLatencyBench.RunAsync(options, progress, ct));
