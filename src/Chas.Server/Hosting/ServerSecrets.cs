using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chas.Store;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Hosting;

/// <summary>
/// The cluster's secrets: `node-token` (agents join with it once), `admin-token` (the built-in admin:
/// `chas dev`, the ingress), `jwt-signing-key` (signs sign-in tokens) and `node-credential-key` (derives
/// each node's own credential). Every server on one database must hold the same ones, so the store keeps
/// them (<see cref="StoreKind"/>, never served by any API or watch); each server also writes them into its
/// data directory with mode 0600, where `chas dev`, scripts and people read the tokens.
/// </summary>
public sealed partial class ServerSecrets
{
    /// <summary>The store kind of the one record that holds them. Not a watchable kind: no API reads it.</summary>
    public const string StoreKind = "cluster-secrets";
    public const string StoreKey = "v1";

    private const string NodeTokenFile = "node-token";
    private const string AdminTokenFile = "admin-token";
    private const string JwtSigningKeyFile = "jwt-signing-key";
    private const string NodeCredentialKeyFile = "node-credential-key";

    public required string NodeToken { get; init; }
    public required string AdminToken { get; init; }
    public required string JwtSigningKey { get; init; }
    public required string NodeCredentialKey { get; init; }

    /// <summary>
    /// The secrets of the cluster behind <paramref name="store"/>: the store's when it has them; else the data
    /// directory's (a single-server cluster keeps its tokens), else new ones, put into the store by a create
    /// that only one of several servers starting at once wins (the others adopt the winner's). Then written
    /// into the data directory.
    /// </summary>
    public static async Task<ServerSecrets> LoadOrCreateAsync(string dataDir, IObjectStore store, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var secrets = await ReadStoredAsync(store, cancellationToken);
        if (secrets is null)
        {
            var candidate = FromDataDirectory(dataDir);
            try
            {
                await store.CommitAsync([WriteOp.Create(StoreKind, StoreKey, JsonSerializer.Serialize(candidate.ToStored(), StoredSecretsJson.Default.StoredSecrets))],
                    cancellationToken);
                secrets = candidate;
            }
            catch (ConflictException)
            {
                // Another server created them in between: theirs are the cluster's.
                secrets = await ReadStoredAsync(store, cancellationToken)
                    ?? throw new InvalidOperationException($"the store refused to create {StoreKind}/{StoreKey} but has none");
            }
        }
        if (secrets.WriteFiles(dataDir) && logger is not null) LogReplacedFiles(logger, dataDir);
        return secrets;
    }

    /// <summary>
    /// The secrets in the data directory alone, creating the missing files: for whoever reads a server's data
    /// directory from outside (tests, tools), where the server has already written the cluster's secrets.
    /// </summary>
    public static ServerSecrets LoadOrCreate(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return new ServerSecrets
        {
            NodeToken = LoadOrCreateToken(Path.Combine(dataDir, NodeTokenFile), NodeTokenPrefix),
            AdminToken = LoadOrCreateToken(Path.Combine(dataDir, AdminTokenFile), AdminTokenPrefix),
            JwtSigningKey = LoadOrCreateToken(Path.Combine(dataDir, JwtSigningKeyFile), "", bytes: KeyBytes),
            NodeCredentialKey = LoadOrCreateToken(Path.Combine(dataDir, NodeCredentialKeyFile), "", bytes: KeyBytes),
        };
    }

    public static string LoadOrCreateToken(string path, string prefix, int bytes = 24)
    {
        if (ReadToken(path) is { } existing) return existing;
        var token = NewToken(prefix, bytes);
        WritePrivate(path, token + "\n");
        return token;
    }

    /// <summary>Creates the file with mode 0600 from the start, so the secret is never readable by others.</summary>
    public static void WritePrivate(string path, string content)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    private const string NodeTokenPrefix = "K10";
    private const string AdminTokenPrefix = "chas_admin_";
    private const int KeyBytes = 32;

    private static async Task<ServerSecrets?> ReadStoredAsync(IObjectStore store, CancellationToken ct)
    {
        var stored = await store.GetAsync(StoreKind, StoreKey, ct);
        if (stored is null) return null;
        var record = JsonSerializer.Deserialize(stored.Json, StoredSecretsJson.Default.StoredSecrets)
            ?? throw new InvalidDataException($"{StoreKind}/{StoreKey} is empty");
        if (string.IsNullOrEmpty(record.NodeToken) || string.IsNullOrEmpty(record.AdminToken)
            || string.IsNullOrEmpty(record.JwtSigningKey) || string.IsNullOrEmpty(record.NodeCredentialKey))
            throw new InvalidDataException($"{StoreKind}/{StoreKey} lacks a secret; restore it from a server's data directory");
        return new ServerSecrets
        {
            NodeToken = record.NodeToken, AdminToken = record.AdminToken,
            JwtSigningKey = record.JwtSigningKey, NodeCredentialKey = record.NodeCredentialKey,
        };
    }

    /// <summary>The data directory's secrets where it has them, new ones for the rest; writes nothing.</summary>
    private static ServerSecrets FromDataDirectory(string dataDir) => new()
    {
        NodeToken = ReadToken(Path.Combine(dataDir, NodeTokenFile)) ?? NewToken(NodeTokenPrefix, 24),
        AdminToken = ReadToken(Path.Combine(dataDir, AdminTokenFile)) ?? NewToken(AdminTokenPrefix, 24),
        JwtSigningKey = ReadToken(Path.Combine(dataDir, JwtSigningKeyFile)) ?? NewToken("", KeyBytes),
        NodeCredentialKey = ReadToken(Path.Combine(dataDir, NodeCredentialKeyFile)) ?? NewToken("", KeyBytes),
    };

    /// <summary>Writes each file whose content differs; true when a file with another secret was replaced.</summary>
    private bool WriteFiles(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var replaced = false;
        foreach (var (file, value) in new[]
                 {
                     (NodeTokenFile, NodeToken), (AdminTokenFile, AdminToken),
                     (JwtSigningKeyFile, JwtSigningKey), (NodeCredentialKeyFile, NodeCredentialKey),
                 })
        {
            var path = Path.Combine(dataDir, file);
            var existing = ReadToken(path);
            if (existing == value) continue;
            replaced |= existing is not null;
            WritePrivate(path, value + "\n");
        }
        return replaced;
    }

    private static string? ReadToken(string path)
    {
        if (!File.Exists(path)) return null;
        var existing = File.ReadAllText(path).Trim();
        return existing.Length > 0 ? existing : null;
    }

    private static string NewToken(string prefix, int bytes) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private StoredSecrets ToStored() => new()
    {
        NodeToken = NodeToken, AdminToken = AdminToken, JwtSigningKey = JwtSigningKey, NodeCredentialKey = NodeCredentialKey,
    };

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning,
        Message = "The secrets in {DataDir} differ from the cluster's in the store: replaced by the cluster's (tokens and keys of that directory no longer work)")]
    private static partial void LogReplacedFiles(ILogger logger, string dataDir);
}

/// <summary>The stored form: every field required, so a record missing one fails to read instead of holding an empty secret.</summary>
internal sealed record StoredSecrets
{
    public required string NodeToken { get; init; }
    public required string AdminToken { get; init; }
    public required string JwtSigningKey { get; init; }
    public required string NodeCredentialKey { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredSecrets))]
internal sealed partial class StoredSecretsJson : JsonSerializerContext;
