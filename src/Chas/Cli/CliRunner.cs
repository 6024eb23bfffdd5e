using System.Net.Sockets;
using Chas.Client;

namespace Chas.Cli;

/// <summary>
/// Runs a CLI verb: one readable line on stderr and a non-zero exit for anything that goes wrong,
/// never a stack trace.
/// </summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> action, CancellationToken ct)
    {
        try
        {
            return await action(ct);
        }
        catch (CliException ex)
        {
            return Fail(ex.Message);
        }
        catch (ChasApiException ex)
        {
            return Fail(ex.Message);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return Fail($"cannot reach the CHaS server: {ex.Message} (is `chas dev` or `chas server` running?)");
        }
        catch (HttpRequestException ex)
        {
            // "The SSL connection could not be established, see inner exception." says nothing without the inner one.
            if (ex.InnerException is System.Security.Authentication.AuthenticationException)
                return Fail($"the server's TLS certificate is not trusted ({ex.InnerException.Message}); sign in with "
                    + "`chas login --server URL --ca-fingerprint sha256:…` (the server prints the fingerprint at start) to pin its CA");
            var cause = ex.InnerException is { } inner ? $" ({inner.GetBaseException().Message})" : "";
            return Fail($"request failed: {ex.Message}{cause}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file the user named is missing or unreadable (--token-file, apply -f, image import).
            return Fail(ex.Message);
        }
        catch (ArgumentException ex)
        {
            // A value no request can be made of (an empty name, a duration past what a clock can hold).
            return Fail(ex.Message);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // The server answered something that is not the object asked for: an older server, or a proxy in between.
            return Fail($"the server's answer could not be read: {ex.Message}");
        }
    }

    public static Task<int> WithClientAsync(Func<ChasClient, CancellationToken, Task<int>> action, CancellationToken ct) =>
        RunAsync(async token =>
        {
            using var client = Connection.Open();
            return await action(client, token);
        }, ct);

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
