using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>How <see cref="LocalPostgres"/> sets up its cluster.</summary>
public sealed record LocalPostgresOptions
{
    /// <summary>
    /// False turns fsync and full-page writes off and skips initdb's sync: nothing is lost when only the
    /// server process dies (the OS keeps what it wrote), only when the machine does. For tests and throw-away
    /// clusters; synchronous_commit stays on either way, so an acknowledged commit survives a crash of PostgreSQL.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>How long a start may take before it counts as failed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int MaxConnections { get; init; } = 300;
}

/// <summary>
/// A private PostgreSQL cluster that this process runs with the server programs installed on the machine
/// (initdb, pg_ctl): its data and its unix socket live in one directory, it listens on 127.0.0.1 only and
/// trusts user <c>postgres</c> without a password. For `chas dev --ha` and the tests, never for production.
/// PostgreSQL refuses to run as root, so as root its programs run as the <c>postgres</c> user (runuser) on a
/// directory handed to that user. The port is written before every start, so a kept cluster may move.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    public const string SuperUser = "postgres";

    /// <summary>The one line to show when <see cref="FindBinDirectory"/> finds nothing.</summary>
    public const string MissingMessage = "PostgreSQL's server programs (initdb, pg_ctl) were not found via pg_config --bindir or in /usr/lib/postgresql/*/bin; install the postgresql package";

    // Included from postgresql.conf and rewritten before each start: the settings that follow the port.
    private const string LocalConfFile = "chas-local.conf";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);

    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;
    private readonly LocalPostgresOptions _options;

    private LocalPostgres(string directory, string binDirectory, bool asPostgresUser, int port, LocalPostgresOptions options)
    {
        Directory = directory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
        _options = options;
        Port = port;
    }

    /// <summary>The cluster's directory: <see cref="DataDirectory"/>, the socket directory and the log.</summary>
    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string LogPath => Path.Combine(Directory, "postgres.log");

    public int Port { get; }

    public bool IsRunning { get; private set; }

    /// <summary>Whether initdb has already run here (a kept cluster).</summary>
    public bool IsInitialized => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    /// <summary>
    /// A cluster in <paramref name="directory"/> (created when missing) on <paramref name="port"/>; nothing
    /// runs yet. Throws <see cref="InvalidOperationException"/> with <see cref="MissingMessage"/> when the
    /// server programs are not installed.
    /// </summary>
    public static LocalPostgres Create(string directory, int port, LocalPostgresOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        var binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(MissingMessage);
        var fullPath = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(fullPath);
        // Environment.UserName is the effective user's name on Unix.
        return new LocalPostgres(fullPath, binDirectory, Environment.UserName == "root", port, options ?? new LocalPostgresOptions());
    }

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

    /// <summary>
    /// Runs initdb unless <see cref="IsInitialized"/>, then starts the cluster; returns once it accepts
    /// connections. A server still running on this directory (its process ended without stopping it) is
    /// stopped first, so that it comes up on <see cref="Port"/>.
    /// </summary>
    public async Task InitAndStartAsync(CancellationToken cancellationToken = default)
    {
        if (!IsInitialized) await InitAsync(cancellationToken);
        else await StopIfRunningAsync(cancellationToken);
        await StartAsync(cancellationToken);
    }

    /// <summary>
    /// Stops (fast) a server running on this directory, whichever process started it: one left behind by a
    /// process that was killed. True when there was one.
    /// </summary>
    public async Task<bool> StopIfRunningAsync(CancellationToken cancellationToken = default)
    {
        // pg_ctl status: 0 running, 3 not running, 4 no data directory.
        if (!IsInitialized || await RunToolAsync("pg_ctl", ["-D", DataDirectory, "status"], cancellationToken, allowFailure: true) != 0) return false;
        await StopAsync(cancellationToken);
        return true;
    }

    /// <summary>Starts the cluster on <see cref="Port"/>; returns once it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await WriteLocalConfAsync(cancellationToken);
        await PgCtlAsync(cancellationToken, "start", "-w", "-t", ((int)_options.StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-l", LogPath);
        IsRunning = true;
        // pg_ctl -w waits until the server says it is ready; one connection proves the TCP side too.
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false");
            await connection.OpenAsync(cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            throw new InvalidOperationException($"PostgreSQL started but 127.0.0.1:{Port} does not accept connections ({exception.Message}):\n{LogTail()}", exception);
        }
    }

    /// <summary>A clean shutdown (fast mode: clients are disconnected with 57P01, data is checkpointed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await PgCtlAsync(cancellationToken, "stop", "-m", "fast", "-w", "-t", "60");
        IsRunning = false;
    }

    /// <summary>A crash: immediate shutdown, no checkpoint; the next start recovers from the WAL.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await PgCtlAsync(cancellationToken, "stop", "-m", "immediate", "-w", "-t", "60");
        IsRunning = false;
    }

    /// <summary>Creates <paramref name="name"/> unless it exists; true when it was created.</summary>
    public async Task<bool> EnsureDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = name });
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null) return false;
        }
        await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(name)}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>Drops <paramref name="name"/>, ending whatever connections it still has.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {QuoteIdentifier(name)} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The end of the server's log, for a failure's message.</summary>
    public string LogTail()
    {
        try
        {
            return File.Exists(LogPath) ? string.Join('\n', File.ReadLines(LogPath).TakeLast(30)) : "(no log)";
        }
        catch (IOException)
        {
            return "(log unreadable)";
        }
        catch (UnauthorizedAccessException)
        {
            return "(log unreadable)";
        }
    }

    /// <summary>An immediate stop when still running; the directory stays.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsRunning) return;
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The directory with initdb and pg_ctl: pg_config's, else the newest under /usr/lib/postgresql; null when neither has them.</summary>
    public static string? FindBinDirectory()
    {
        var candidates = new List<string>();
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
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
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var version) ? version : 0)
                .Select(dir => Path.Combine(dir, "bin")));
        }
        return candidates.FirstOrDefault(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", $"{SuperUser}:{SuperUser}", Directory], cancellationToken);
            // A directory under a private home (/root) cannot be reached by that user: say so before initdb does, less clearly.
            try
            {
                await RunToolAsync("test", ["-w", Directory], cancellationToken);
            }
            catch (InvalidOperationException)
            {
                throw new UnauthorizedAccessException($"PostgreSQL runs as user {SuperUser}, who cannot reach {Directory}; pick a data directory outside a private home (e.g. under /var/lib or /tmp)");
            }
        }
        string[] sync = _options.Durable ? [] : ["--no-sync"];
        await RunToolAsync("initdb", ["-D", DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale=C", .. sync], cancellationToken);
        var socketDirectory = Path.Combine(Directory, "socket");
        System.IO.Directory.CreateDirectory(socketDirectory);
        if (_asPostgresUser) await RunAsync("chown", [$"{SuperUser}:{SuperUser}", socketDirectory], cancellationToken);

        // Appended, so they win over initdb's defaults; the last setting of a name counts.
        var unsafeSettings = _options.Durable ? "" : "fsync = off\nfull_page_writes = off\n";
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), $"""

            unix_socket_directories = '{socketDirectory}'
            max_connections = {_options.MaxConnections}
            shared_buffers = 32MB
            logging_collector = off
            {unsafeSettings}include_if_exists = '{LocalConfFile}'

            """, cancellationToken);
    }

    private async Task WriteLocalConfAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(DataDirectory, LocalConfFile);
        await File.WriteAllTextAsync(path, $"""
            # Written by chas before every start.
            listen_addresses = '127.0.0.1'
            port = {Port}

            """, cancellationToken);
        if (_asPostgresUser) await RunAsync("chown", [$"{SuperUser}:{SuperUser}", path], cancellationToken);
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private Task<int> PgCtlAsync(CancellationToken cancellationToken, params string[] args) => RunToolAsync("pg_ctl", ["-D", DataDirectory, .. args], cancellationToken);

    /// <summary>A PostgreSQL program (or `test`) as the user that owns the cluster; its exit code.</summary>
    private Task<int> RunToolAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken, bool allowFailure = false)
    {
        var path = tool == "test" ? tool : Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", SuperUser, "--", path, .. args], cancellationToken, allowFailure)
            : RunAsync(path, args, cancellationToken, allowFailure);
    }

    private async Task<int> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken, bool allowFailure = false)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A directory the postgres user can enter: the caller's own may be private.
            WorkingDirectory = "/",
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {ToolTimeout.TotalSeconds} s:\n{LogTail()}");
        }
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await errors}\n{LogTail()}");
        }
        return process.ExitCode;
    }
}
