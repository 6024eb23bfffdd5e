using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Chas.Testing.Postgres;

/// <summary>
/// A private PostgreSQL server for one test class: initdb into a temporary directory, listening on
/// 127.0.0.1 on a free port (its unix socket inside that directory), fsync off. It can be stopped and
/// started again on the same port and data (a database restart), or killed (a crash); disposing it stops it
/// and deletes everything. PostgreSQL refuses to run as root, so as root its programs run as the
/// <c>postgres</c> user (runuser) on a directory that user owns; as anyone else they run as that user.
/// Connections use trust authentication as user <c>postgres</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory;
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;
    private bool _running;

    private PostgresServer(TempDirectory directory, string binDirectory, bool asPostgresUser, int port)
    {
        _directory = directory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory => _directory.Combine("data");

    /// <summary>Npgsql's form, for the maintenance database <c>postgres</c>.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Npgsql's form, for <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = SuperUser,
            Database = database,
            Timeout = 5,
        }.ConnectionString;

    /// <summary>The URI form (<c>postgres://postgres@127.0.0.1:port/database</c>) of <see cref="ConnectionStringFor"/>.</summary>
    public string UriFor(string database) => $"postgres://{SuperUser}@127.0.0.1:{Port}/{Uri.EscapeDataString(database)}";

    /// <summary>Creates the cluster and starts it; returns once it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var binDirectory = FindBinDirectory();
        // Environment.UserName is the effective user's name on Unix.
        var asPostgresUser = Environment.UserName == "root";
        var directory = TempDirectory.Create("chas-pg-");
        var server = new PostgresServer(directory, binDirectory, asPostgresUser, PortRanges.FreeTcpPort());
        try
        {
            await server.InitAsync();
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database; returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Drops <paramref name="name"/>, ending whatever connections it still has.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        if (!_running) return;
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A clean shutdown (fast mode: clients are disconnected with 57P01, data is checkpointed).</summary>
    public async Task StopAsync()
    {
        await PgCtlAsync("stop", "-m", "fast", "-w", "-t", "60");
        _running = false;
    }

    /// <summary>A crash: immediate shutdown, no checkpoint; the next start recovers from the WAL.</summary>
    public async Task KillAsync()
    {
        await PgCtlAsync("stop", "-m", "immediate", "-w", "-t", "60");
        _running = false;
    }

    /// <summary>Starts the server on the same port and data directory; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        await PgCtlAsync("start", "-w", "-t", ((int)StartDeadline.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "-l", _directory.Combine("postgres.log"));
        _running = true;
        await Eventually.WaitAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            return true;
        }, StartDeadline, $"PostgreSQL on port {Port} to accept connections", () => LogTail());
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            try
            {
                await KillAsync();
            }
            catch (InvalidOperationException)
            {
                // Already gone; the directory goes anyway.
            }
        }
        _directory.Dispose();
    }

    /// <summary>The end of the server's log, for a failure's message.</summary>
    public string LogTail()
    {
        var path = _directory.Combine("postgres.log");
        try
        {
            return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(30)) : "(no log)";
        }
        catch (IOException)
        {
            return "(log unreadable)";
        }
    }

    private async Task InitAsync()
    {
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", $"{SuperUser}:{SuperUser}", _directory.Path]);
        }
        await RunToolAsync("initdb", "-D", DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");

        var socketDirectory = _directory.Combine("socket");
        Directory.CreateDirectory(socketDirectory);
        if (_asPostgresUser)
        {
            await RunAsync("chown", [$"{SuperUser}:{SuperUser}", socketDirectory]);
        }
        // Appended, so they win over initdb's defaults; the last setting of a name counts. fsync off loses
        // nothing when only the server process dies (the OS keeps what it wrote); synchronous_commit stays on,
        // since off would lose acknowledged commits in a crash (KillAsync) and break what the tests check.
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = '{socketDirectory}'
            fsync = off
            full_page_writes = off
            max_connections = 300
            shared_buffers = 32MB
            logging_collector = off
            """);
    }

    private Task PgCtlAsync(params string[] args) => RunToolAsync("pg_ctl", ["-D", DataDirectory, .. args]);

    private Task RunToolAsync(string tool, params string[] args)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asPostgresUser ? RunAsync("runuser", ["-u", SuperUser, "--", path, .. args]) : RunAsync(path, args);
    }

    private async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A directory the postgres user can enter: the test's own may be private.
            WorkingDirectory = _directory.Path,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 120 s:\n{LogTail()}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await errors}\n{LogTail()}");
        }
    }

    private static string FindBinDirectory()
    {
        var candidates = new List<string>();
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is not null)
            {
                candidates.Add(process.StandardOutput.ReadToEnd().Trim());
                process.WaitForExit();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config on PATH: look where Debian puts the server.
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var version) ? version : 0)
                .Select(dir => Path.Combine(dir, "bin")));
        }
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL's server programs (initdb, pg_ctl) were not found via pg_config --bindir or in /usr/lib/postgresql/*/bin; install the postgresql package");
    }
}
