using Chas.Client;

namespace Chas.Dashboard.Components.Shared;

/// <summary>Runs a button's API call and turns what the server refused into a message for the page.</summary>
public static class Actions
{
    /// <summary>Null when it worked; otherwise the server's explanation.</summary>
    public static async Task<string?> RunAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (ChasApiException e)
        {
            return e.Message;
        }
        catch (HttpRequestException e)
        {
            return "the server did not answer: " + e.Message;
        }
    }
}
