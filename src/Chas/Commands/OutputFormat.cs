using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Cli;
using Chas.Contracts;
using YamlDotNet.Serialization;

namespace Chas.Commands;

/// <summary>`-o table|wide|json|yaml`: one option for every listing; json and yaml print the API's own shape.</summary>
internal static class OutputFormat
{
    private static readonly string[] Formats = ["table", "wide", "json", "yaml"];

    public static Option<string> CreateOption(string defaultValue = "table") => new("--output", "-o")
    {
        Description = "Output format: table, wide, json or yaml",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultValue;
            if (!Formats.Contains(value))
                result.AddError($"--output: '{value}' is not a format; use table, wide, json or yaml");
            return value;
        },
    };

    /// <summary>json or yaml: print the objects themselves instead of a table.</summary>
    public static bool IsStructured(string? format) => format is "json" or "yaml";

    public static void Write<T>(string? format, T value)
    {
        if (format == "yaml") WriteYaml(value);
        else WriteJson(value);
    }

    public static void WriteJson<T>(T value) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)ChasJson.Indented.GetTypeInfo(typeof(T))));

    /// <summary>The JSON shape (camelCase, same fields) written as YAML, so `-o yaml` and `-o json` never disagree.</summary>
    public static void WriteYaml<T>(T value)
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)ChasJson.Options.GetTypeInfo(typeof(T))));
        var yaml = new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(ToPlain(json.RootElement));
        Console.Out.Write(yaml);
    }

    private static object? ToPlain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>How long ago; "-" for a time never stamped (the built-in default namespace has none).</summary>
    public static string Age(DateTimeOffset since) => since == default ? "-" : Durations.Humanize(DateTimeOffset.UtcNow - since);
}
