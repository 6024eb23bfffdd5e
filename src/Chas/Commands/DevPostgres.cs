using System.Net;
using System.Net.Sockets;
using Chas.Cli;
using Chas.Store.Postgres;

namespace Chas.Commands;

/// <summary>
/// The PostgreSQL of `chas dev --ha`: a <see cref="LocalPostgres"/> in &lt;data-dir&gt;/postgres, made by initdb on
/// the first start and kept across restarts like the rest of the data directory, with the database
/// <see cref="DatabaseName"/> that all the dev servers share.
/// </summary>
internal static class DevPostgres
{
    public const string DatabaseName = "chas";
    public const string MissingMessage = "chas dev --ha needs PostgreSQL: apt-get install postgresql";

    /// <summary>Started and holding <see cref="DatabaseName"/>; port 0 takes a free one.</summary>
    public static async Task<LocalPostgres> StartAsync(string dataDir, int port, CancellationToken cancellationToken)
    {
        if (LocalPostgres.FindBinDirectory() is null) throw new CliException(MissingMessage);
        var postgres = LocalPostgres.Create(Path.Combine(dataDir, "postgres"), port > 0 ? port : FreeLoopbackPort());
        try
        {
            await postgres.InitAndStartAsync(cancellationToken);
            await postgres.EnsureDatabaseAsync(DatabaseName, cancellationToken);
            return postgres;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or Npgsql.NpgsqlException)
        {
            await postgres.DisposeAsync();
            // The tools' whole output is in the log; the first line says what failed.
            throw new CliException($"the local PostgreSQL in {postgres.Directory} did not start on 127.0.0.1:{postgres.Port}: {ex.Message.Split('\n')[0]} (log: {postgres.LogPath})");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
