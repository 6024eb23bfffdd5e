using System.Diagnostics;

namespace Chas.Testing.Waiting;

/// <summary>
/// Waiting for a condition with a deadline: the one way the tests and the benches wait for something to
/// happen that sends no signal. A timeout throws a <see cref="TimeoutException"/> that says what was awaited,
/// the last value seen and (where given) the process output, so that it can be diagnosed from the report alone.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan InProcessPollInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan InProcessDefaultDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Until <paramref name="condition"/> holds, asking every 25 ms; <paramref name="because"/> says what it waits for.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        var started = Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed >= timeout) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for: {because}");
            await Task.Delay(InProcessPollInterval);
        }
    }

    /// <summary>Like <see cref="UntilAsync(Func{bool}, TimeSpan, string)"/> for a condition that has to ask something.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed >= timeout) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for: {because}");
            await Task.Delay(InProcessPollInterval);
        }
    }

    /// <summary>
    /// Probes every 25 ms until <paramref name="condition"/> holds (default deadline 10 s), and returns that value.
    /// A probe that throws ends the wait at once: in-process servers answer or fail, they do not "start up".
    /// </summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = deadline ?? InProcessDefaultDeadline;
        var started = Stopwatch.StartNew();
        while (true)
        {
            var last = await probe();
            if (condition(last)) return last;
            if (started.Elapsed > until) throw new TimeoutException($"timed out waiting for {what}; last: {last}");
            await Task.Delay(InProcessPollInterval);
        }
    }

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan deadline, string what) =>
        WaitAsync(condition, deadline, what, diagnostics: null);

    /// <summary>Until <paramref name="condition"/> holds; an exception from it counts as "not yet" (see <see cref="GetAsync"/>).</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan deadline, string what, Func<string>? diagnostics)
    {
        await GetAsync(async () => await condition(), ok => ok, deadline, what, diagnostics);
    }

    /// <summary>
    /// Reads <paramref name="read"/> every 100 ms until <paramref name="until"/> holds, and returns that value. An
    /// exception from the read counts as "not yet" (a process still starting, a connection refused), except a
    /// <see cref="GiveUpException"/>, which ends the wait at once.
    /// </summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan deadline, string what, Func<string>? diagnostics = null)
    {
        var started = Stopwatch.StartNew();
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
                lastError = ex;
            }
            if (started.Elapsed >= deadline)
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
