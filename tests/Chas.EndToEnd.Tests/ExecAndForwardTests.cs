using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Chas.Client;
using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>
/// `chas exec` and `chas forward` against real containers: CLI → server → agent → engine, over WebSockets.
/// </summary>
public sealed class ExecAndForwardTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    private static readonly string[] Sleeper = ["sleep", "100000"];

    /// <summary>busybox httpd serving "hello from httpd" on port 8080, published nowhere: only the node can reach it.</summary>
    private static readonly string[] HttpServer =
        ["sh", "-c", "echo 'hello from httpd' > /tmp/index.html; trap 'exit 0' TERM; httpd -f -p 8080 -h /tmp & wait"];

    [Fact]
    public async Task Exec_prints_the_commands_output_and_exits_with_its_exit_code()
    {
        await StartAsync("exec-exit", Sleeper);

        var result = await Dev.Cli.RunAsync("exec", "exec-exit", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("hi\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        await RemoveAsync("exec-exit");
    }

    [Fact]
    public async Task Exec_i_pipes_stdin_through_cat_and_back()
    {
        await StartAsync("exec-stdin", Sleeper);
        var input = string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i} of the input\n"));

        var (exitCode, stdout, stderr) = await RunWithStdinAsync(["exec", "-i", "exec-stdin", "--", "cat"], input);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstderr:\n{stderr}");
        Assert.Equal(input, stdout);
        await RemoveAsync("exec-stdin");
    }

    [Fact]
    public async Task Forward_carries_an_http_get_to_a_container_port_that_is_not_published()
    {
        await StartAsync("forward-web", HttpServer);
        using var forward = StartCli("forward", "forward-web", "0:8080");
        try
        {
            // "Forwarding 127.0.0.1:PORT -> forward-web:8080" says which free port it took.
            var first = await forward.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20))
                ?? throw new InvalidOperationException($"chas forward printed nothing\n{await forward.StandardError.ReadToEndAsync()}");
            Assert.Matches(@"^Forwarding 127\.0\.0\.1:\d+ -> forward-web:8080$", first);
            var localPort = int.Parse(first.Split(' ')[1].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            // httpd may still be starting when the task reports running: one GET per connection until it answers.
            var body = await Eventually.GetAsync(
                async () =>
                {
                    try
                    {
                        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{localPort}/index.html"));
                        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : $"status {response.StatusCode}";
                    }
                    catch (HttpRequestException ex)
                    {
                        return ex.Message;
                    }
                },
                text => text == "hello from httpd\n", TimeSpan.FromSeconds(20), "a GET through chas forward to answer", Dev.Diagnostics);
            Assert.Equal("hello from httpd\n", body);
            Assert.False(forward.HasExited, "chas forward ended after one connection");
        }
        finally
        {
            forward.Kill(entireProcessTree: true);
            await forward.WaitForExitAsync();
        }
        await RemoveAsync("forward-web");
    }

    [Fact]
    public async Task A_user_without_a_role_in_the_namespace_gets_404_on_both_websockets()
    {
        await StartAsync("exec-private", Sleeper);
        const string password = "a long enough password 1";
        await Dev.Client.CreateUserAsync(new CreateUserRequest { Name = "exec-outsider", Password = password, Role = Role.User });
        using var anonymous = new ChasClient(Dev.Url, null);
        var login = await anonymous.LoginAsync("exec-outsider", password);
        using var outsider = new ChasClient(Dev.Url, login.AccessToken);

        var exec = await Assert.ThrowsAsync<ChasApiException>(() => outsider.StartExecAsync("exec-private", ["true"], tty: false, stdin: false, ns: "default"));
        var forward = await Assert.ThrowsAsync<ChasApiException>(() => outsider.ConnectForwardAsync("exec-private", 8080, ns: "default"));

        Assert.Equal(HttpStatusCode.NotFound, exec.Status);
        Assert.Equal(HttpStatusCode.NotFound, forward.Status);
        Assert.Contains("no such namespace 'default'", exec.Message, StringComparison.Ordinal);
        await RemoveAsync("exec-private");
    }

    [Fact]
    public async Task A_browser_can_exec_with_the_token_in_the_query_and_reads_binary_frames()
    {
        await StartAsync("exec-browser", Sleeper);
        using var socket = new ClientWebSocket(); // no Authorization header, as in a browser
        var url = new Uri($"ws://127.0.0.1:{Dev.Url.Port}/api/v1/tasks/exec-browser/exec?namespace=default&cmd=sh&cmd=-c&cmd=echo%20hi%3B%20exit%205"
            + $"&access_token={Uri.EscapeDataString(Dev.AdminToken)}");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await socket.ConnectAsync(url, deadline.Token);
        var frames = new List<byte[]>();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, deadline.Token);
            if (received.MessageType == WebSocketMessageType.Close) break;
            Assert.Equal(WebSocketMessageType.Binary, received.MessageType);
            Assert.True(received.EndOfMessage);
            frames.Add(buffer[..received.Count]);
        }
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", deadline.Token);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal("hi\n", Encoding.UTF8.GetString([.. frames.Where(f => f[0] == ExecFrames.Stdout).SelectMany(f => f[1..])]));
        var exit = Assert.Single(frames, f => f[0] == ExecFrames.Exit);
        Assert.Equal("{\"exitCode\":5}", Encoding.UTF8.GetString(exit[1..]));
        Assert.Equal(ExecFrames.Exit, frames[^1][0]);
        await RemoveAsync("exec-browser");
    }

    private async Task StartAsync(string name, string[] command)
    {
        await Dev.RunTaskAsync(name, command);
        await Dev.WaitForStatusAsync(name, TaskPhase.Running);
    }

    private async Task RemoveAsync(string name)
    {
        var result = await Dev.Cli.RunAsync("rm", "-f", name);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>`chas ARGS…` with <paramref name="input"/> on its stdin, then end of input.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunWithStdinAsync(string[] args, string input)
    {
        using var process = StartCli(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`chas {string.Join(' ', args)}` did not exit within 30 s\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private Process StartCli(params string[] args)
    {
        var info = CliStart.For(args, Dev.CliConfigPath, Dev.Url, Dev.AdminToken);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start bin/chas");
    }
}
