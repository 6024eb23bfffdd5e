using System.Diagnostics;
using Chas.Store;
using Chas.Store.Sqlite;

namespace Chas.Bench.Scheduler;

/// <summary>
/// The store alone: a <see cref="SqliteObjectStore"/> on a temporary file with the options `chas server` uses
/// (synchronous FULL, WAL), on the same file system, fed the same number of objects of the same JSON size in
/// commits of the scheduler's batch size. First every object is created, then every object is updated with the
/// version it was written at — which is what a bind is (a conditional update of a pending task).
/// </summary>
internal static class RawStoreBaseline
{
    /// <summary>Binds per commit in TaskSchedulingController (its BindsPerCommit).</summary>
    public const int BatchSize = 1000;

    public sealed record Result(int Objects, int JsonBytes, TimeSpan Creates, TimeSpan Updates)
    {
        public double CreatesPerSecond => Objects / Creates.TotalSeconds;
        public double UpdatesPerSecond => Objects / Updates.TotalSeconds;
    }

    public static async Task<Result> RunAsync(int objects, string json, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("chas-bench-store-");
        try
        {
            var options = new SqliteStoreOptions { DatabasePath = Path.Combine(dir.FullName, "chas.db"), SynchronousFull = true };
            await using var store = await SqliteObjectStore.OpenAsync(options, cancellationToken: ct);
            var keys = Enumerable.Range(0, objects).Select(i => $"default/raw-{i:D6}").ToArray();
            var versions = new long[objects];

            var started = Stopwatch.GetTimestamp();
            await CommitInBatchesAsync(store, objects, i => WriteOp.Create("tasks", keys[i], json), versions, ct);
            var creates = Stopwatch.GetElapsedTime(started);

            started = Stopwatch.GetTimestamp();
            await CommitInBatchesAsync(store, objects, i => WriteOp.Update("tasks", keys[i], versions[i], json), versions, ct);
            var updates = Stopwatch.GetElapsedTime(started);
            return new Result(objects, System.Text.Encoding.UTF8.GetByteCount(json), creates, updates);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task CommitInBatchesAsync(SqliteObjectStore store, int objects, Func<int, WriteOp> write, long[] versions, CancellationToken ct)
    {
        for (var from = 0; from < objects; from += BatchSize)
        {
            var count = Math.Min(BatchSize, objects - from);
            var writes = new WriteOp[count];
            for (var i = 0; i < count; i++) writes[i] = write(from + i);
            var revision = await store.CommitAsync(writes, ct);
            for (var i = 0; i < count; i++) versions[from + i] = revision;
        }
    }
}
