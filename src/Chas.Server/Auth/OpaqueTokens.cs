using System.Security.Cryptography;
using System.Text;

namespace Chas.Server.Auth;

/// <summary>
/// Opaque secrets handed out once: "PREFIX_ID_SECRET". The server keeps only SHA-256(SECRET) under
/// ID, so a leaked database does not leak usable tokens. Secrets are random (192 bits), so a plain
/// hash is enough; passwords need the slow <see cref="PasswordHasher"/>.
/// </summary>
public static class OpaqueTokens
{
    public const string ApiTokenPrefix = "chas_pat";
    public const string RefreshPrefix = "chas_rt";
    public const string InvitePrefix = "chas_inv";
    public const string NodePrefix = "chas_node_";

    public static (string Id, string Secret, string Token) New(string prefix)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        return (id, secret, $"{prefix}_{id}_{secret}");
    }

    public static bool TryParse(string token, string prefix, out string id, out string secret)
    {
        id = secret = "";
        if (!token.StartsWith(prefix + "_", StringComparison.Ordinal)) return false;
        var rest = token[(prefix.Length + 1)..].Split('_');
        if (rest.Length != 2 || rest[0].Length == 0 || rest[1].Length == 0) return false;
        (id, secret) = (rest[0], rest[1]);
        return true;
    }

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(secret)), Encoding.ASCII.GetBytes(storedHash));

    /// <summary>A node's credential: its name and an HMAC of it under the server's node-credential key; nothing to store.</summary>
    public static string NodeCredential(string key, string node) => $"{NodePrefix}{node}.{NodeMac(key, node)}";

    public static bool TryParseNodeCredential(string key, string token, out string node)
    {
        node = "";
        if (!token.StartsWith(NodePrefix, StringComparison.Ordinal)) return false;
        var body = token[NodePrefix.Length..];
        var dot = body.LastIndexOf('.');
        if (dot <= 0) return false;
        var expected = NodeMac(key, body[..dot]);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(body[(dot + 1)..]), Encoding.ASCII.GetBytes(expected))) return false;
        node = body[..dot];
        return true;
    }

    private static string NodeMac(string key, string node) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("node:" + node)));
}
