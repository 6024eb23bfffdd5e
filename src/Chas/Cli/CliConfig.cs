using System.Text.Json;
using System.Text.Json.Serialization;
using Chas.Server.Hosting;

namespace Chas.Cli;

/// <summary>
/// The CLI's configuration file (kubeconfig-like contexts): where the server is and which token to
/// send. `chas dev` writes it; CHAS_SERVER and CHAS_TOKEN override it; CHAS_CONFIG moves it.
/// </summary>
internal sealed record CliConfig
{
    public string? CurrentContext { get; init; }
    public Dictionary<string, CliContextEntry> Contexts { get; init; } = new(StringComparer.Ordinal);

    public static string DefaultPath()
    {
        var explicitPath = Environment.GetEnvironmentVariable("CHAS_CONFIG");
        if (!string.IsNullOrEmpty(explicitPath)) return explicitPath;
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config") : xdg;
        return Path.Combine(root, "chas", "config.json");
    }

    public static CliConfig Load(string path)
    {
        if (!File.Exists(path)) return new CliConfig();
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CliConfigJson.Default.CliConfig) ?? new CliConfig();
        }
        catch (JsonException ex)
        {
            throw new CliException($"the configuration file {path} is not valid JSON ({ex.Message}); fix or delete it");
        }
    }

    /// <summary>Written with mode 0600: it holds a token.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        ServerSecrets.WritePrivate(path, JsonSerializer.Serialize(this, CliConfigJson.Default.CliConfig));
    }

    public CliConfig WithContext(string name, CliContextEntry entry, bool makeCurrent)
    {
        var contexts = new Dictionary<string, CliContextEntry>(Contexts, StringComparer.Ordinal) { [name] = entry };
        return this with { Contexts = contexts, CurrentContext = makeCurrent ? name : CurrentContext ?? name };
    }
}

internal sealed record CliContextEntry
{
    /// <summary>
    /// The server's URL, or several of one cluster separated by commas. Also read as a JSON array of URLs;
    /// written as the one string older versions read.
    /// </summary>
    [JsonConverter(typeof(ServerListJsonConverter))]
    public required string Server { get; init; }
    /// <summary>A static token (admin token, API token), or the current JWT after `chas login`.</summary>
    public string? Token { get; init; }
    /// <summary>After `chas login`: the refresh token, and when <see cref="Token"/> expires.</summary>
    public string? RefreshToken { get; init; }
    public DateTimeOffset? TokenExpiresAt { get; init; }
    public string? User { get; init; }
    /// <summary>Namespace used when a verb gets no -n/--namespace.</summary>
    public string? Namespace { get; init; }
    /// <summary>PEM of the CA the server's certificate must chain to (its own CA, as k3s does).</summary>
    public string? CertificateAuthority { get; init; }
}

/// <summary>A string, or an array of strings joined with commas.</summary>
internal sealed class ServerListJsonConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString()!;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("server: expected a URL or an array of URLs");
        var servers = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            servers.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("server: every entry must be a URL"));
        return string.Join(",", servers);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CliConfig))]
internal sealed partial class CliConfigJson : JsonSerializerContext;

/// <summary>A mistake the user can fix; printed as one line, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
