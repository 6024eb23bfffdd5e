namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Waiting for a condition with a deadline: the one way these tests wait for something to happen.
/// The failure says what was awaited, the last value seen and the process output, so a timeout can
/// be diagnosed from the test report alone.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan deadline, string what) =>
        WaitAsync(condition, deadline, what, diagnostics: null);

    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan deadline, string what, Func<string>? diagnostics)
    {
        await GetAsync(async () => await condition(), ok => ok, deadline, what, diagnostics);
    }

    /// <summary>Reads <paramref name="read"/> until <paramref name="until"/> holds, and returns that value.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan deadline, string what, Func<string>? diagnostics = null)
    {
        var started = DateTimeOffset.UtcNow;
        var last = default(T);
        var seenAny = false;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                last = await read();
                seenAny = true;
                lastError = null;
                if (until(last)) return last;
            }
            catch (Exception ex) when (ex is not (OutOfMemoryException or GiveUpException))
            {
                // Not there yet (a process still starting, a connection refused): try again until the deadline.
                lastError = ex;
            }
            if (DateTimeOffset.UtcNow - started >= deadline)
            {
                var message = $"timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}";
                if (seenAny) message += $"\nlast value: {Describe(last)}";
                if (lastError is not null) message += $"\nlast error: {lastError.GetType().Name}: {lastError.Message}";
                if (diagnostics is not null) message += $"\n{diagnostics()}";
                throw new TimeoutException(message);
            }
            await Task.Delay(PollInterval);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}

/// <summary>Thrown from a condition to stop waiting at once: what is awaited can no longer happen (the process died).</summary>
public sealed class GiveUpException(string message) : Exception(message);
