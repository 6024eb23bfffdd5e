using System.Security.Cryptography;

namespace Chas.Server.Hosting;

/// <summary>
/// Secrets generated at first start and kept in the data directory with mode 0600:
/// `node-token` (agents join with it once), `admin-token` (the built-in admin: `chas dev`, the
/// ingress), `jwt-signing-key` (signs sign-in tokens) and `node-credential-key` (derives each
/// node's own credential).
/// </summary>
public sealed class ServerSecrets
{
    public required string NodeToken { get; init; }
    public required string AdminToken { get; init; }
    public required string JwtSigningKey { get; init; }
    public required string NodeCredentialKey { get; init; }

    public static ServerSecrets LoadOrCreate(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return new ServerSecrets
        {
            NodeToken = LoadOrCreateToken(Path.Combine(dataDir, "node-token"), "K10"),
            AdminToken = LoadOrCreateToken(Path.Combine(dataDir, "admin-token"), "chas_admin_"),
            JwtSigningKey = LoadOrCreateToken(Path.Combine(dataDir, "jwt-signing-key"), "", bytes: 32),
            NodeCredentialKey = LoadOrCreateToken(Path.Combine(dataDir, "node-credential-key"), "", bytes: 32),
        };
    }

    public static string LoadOrCreateToken(string path, string prefix, int bytes = 24)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0) return existing;
        }
        var token = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
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
}
