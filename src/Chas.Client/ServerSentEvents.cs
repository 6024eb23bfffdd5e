using System.Runtime.CompilerServices;
using System.Text;

namespace Chas.Client;

/// <summary>One `text/event-stream` message.</summary>
public sealed record SseMessage(string Event, string? Id, string Data);

/// <summary>Reads Server-Sent Events line by line as the WHATWG spec frames them.</summary>
public static class ServerSentEvents
{
    public static async IAsyncEnumerable<SseMessage> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        string eventName = "message";
        string? id = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(ct);
            if (line is null) yield break;
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    if (data[^1] == '\n') data.Length--;
                    yield return new SseMessage(eventName, id, data.ToString());
                }
                data.Clear();
                eventName = "message";
                continue;
            }
            if (line[0] == ':') continue; // comment / keep-alive
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "data": data.Append(value).Append('\n'); break;
                case "event": eventName = value; break;
                case "id": id = value; break;
            }
        }
    }
}
