using System.CommandLine;
using Chas.Cli;
using Chas.Server.Hosting;
using Chas.Server.Leadership;
using Chas.Store;
using Chas.Store.Postgres;
using Chas.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Chas.Commands;

/// <summary>`chas admin …`: work on a server's state from outside it.</summary>
internal static class AdminCommands
{
    public static Command Create() => new("admin", "Operate on a server's state directly (the server stopped)") { Migrate() };

    /// <summary>
    /// `chas admin migrate --to postgres://…`: copies a stopped server's SQLite store (cluster secrets, users,
    /// tasks, everything) into an empty PostgreSQL database and proves the copy by checksums, so that servers
    /// started with `--store` on that database carry on the same cluster with the same tokens.
    /// </summary>
    private static Command Migrate()
    {
        var to = new Option<string>("--to") { Description = "The empty PostgreSQL database: postgres://user:password@host:5432/db", Required = true };
        to.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && StoreUrls.Problem(value) is { } problem)
                result.AddError($"--to: {problem}");
        });
        var dataDir = new Option<string>("--data-dir") { Description = "The stopped server's data directory (its SQLite store is chas.db there)", DefaultValueFactory = _ => "/var/lib/chas/server" };
        var cmd = new Command("migrate", "Copy a stopped server's SQLite store into an empty PostgreSQL database") { to, dataDir };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var options = new ServerOptions { DataDir = Path.GetFullPath(parse.GetValue(dataDir)!), Store = parse.GetValue(to) };
            var sqlitePath = options.DatabasePath;
            if (!File.Exists(sqlitePath)) throw new CliException($"no SQLite store at {sqlitePath}; give the server's --data-dir");
            await RefuseWhileLeaderLeaseHeldAsync(sqlitePath, token);

            var target = StoreUrls.Describe(options.Store, sqlitePath);
            Console.Out.WriteLine($"migrating {StoreUrls.Describe(null, sqlitePath)} -> {target}");
            await using var source = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = sqlitePath }, cancellationToken: token);
            PostgresObjectStore destination;
            try
            {
                destination = await PostgresObjectStore.OpenAsync(new PostgresStoreOptions { ConnectionString = options.Store!, ReplayHistoryAtOpen = false }, cancellationToken: token);
            }
            catch (StoreUnavailableException ex)
            {
                throw new CliException($"cannot reach {target}: {ex.Message}");
            }
            await using (destination)
            {
                StoreCopyReport report;
                try
                {
                    report = await StoreCopy.CopyAsync(source, destination,
                        new Progress<(string Kind, int Copied)>(p => Console.Error.WriteLine($"  copied {p.Copied} {p.Kind}")), token);
                }
                catch (InvalidOperationException ex)
                {
                    throw new CliException($"{target}: {ex.Message}");
                }
                Console.Out.WriteLine($"{report.Total} objects:");
                foreach (var (kind, count) in report.CountsByKind) Console.Out.WriteLine($"  {kind,-24} {count,8}");
                Console.Out.WriteLine($"source checksum {report.SourceChecksum}");
                Console.Out.WriteLine($"target checksum {report.TargetChecksum}");
                if (!report.Matches)
                    throw new CliException($"the copy in {target} differs from the source (checksums above); drop and recreate that database before trying again");
                Console.Out.WriteLine("done: start the servers with --store on that database; the admin and node tokens stay the same");
            }
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>
    /// A running server keeps the leader lease in its store, renewed every few seconds: while it is unexpired,
    /// the copy would miss what that server writes next (and opening the store voids the server's lease). Read
    /// without opening the store, so that nothing is written before the answer.
    /// </summary>
    private static async Task RefuseWhileLeaderLeaseHeldAsync(string sqlitePath, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT holder, expires_at FROM leases WHERE name = $name AND holder <> ''";
        command.Parameters.AddWithValue("$name", LeaderElection.LeaseName);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return;
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
            if (expires > TimeProvider.System.GetUtcNow())
                throw new CliException($"a server seems to run on {sqlitePath} (it holds the leader lease until {expires:HH:mm:ss} UTC); stop it first");
        }
        catch (SqliteException)
        {
            // A store from before leases has no such table, so no server of this version holds it.
        }
    }
}
