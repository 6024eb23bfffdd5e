using System.Net;
using System.Text.Json;

namespace Chas.Client;

/// <summary>An RFC 9457 problem answered by the server, reduced to what a person needs to read.</summary>
public sealed class ChasApiException : Exception
{
    public ChasApiException(HttpStatusCode status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors)
        : base(Describe(title, detail, errors))
    {
        Status = status;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    public HttpStatusCode Status { get; }
    public string Title { get; }
    public string? Detail { get; }
    /// <summary>Field path → messages, for validation problems.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Describe(string title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
            return string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        return string.IsNullOrWhiteSpace(detail) ? title : detail;
    }

    internal static async Task<ChasApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        var title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = null;
        var errors = new Dictionary<string, string[]>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) title = t.GetString()!;
                if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String) detail = d.GetString();
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Select(v => v.ToString()).ToArray()
                            : [field.Value.ToString()];
                    }
                }
            }
        }
        catch (JsonException)
        {
            if (!string.IsNullOrWhiteSpace(body) && body.Length < 300) detail = body.Trim();
        }
        return new ChasApiException(response.StatusCode, title, detail, errors);
    }
}
