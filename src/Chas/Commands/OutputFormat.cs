using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Cli;
using Chas.Contracts;

namespace Chas.Commands;

internal static class OutputFormat
{
    public static Option<string> CreateOption(string defaultValue = "table") => new("--output", "-o")
    {
        Description = "Output format: table or json",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultValue;
            if (value is not ("table" or "json" or "wide"))
                result.AddError($"--output: '{value}' is not a format; use table or json");
            return value;
        },
    };

    public static void WriteJson<T>(T value) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)ChasJson.Indented.GetTypeInfo(typeof(T))));

    public static string Age(DateTimeOffset since) => Durations.Humanize(DateTimeOffset.UtcNow - since);
}
