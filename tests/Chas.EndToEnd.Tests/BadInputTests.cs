using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>Mistakes are answered with one clear line (CLI) or a problem naming the field (HTTP), and change nothing.</summary>
public sealed class BadInputTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    public static TheoryData<string, string[], string> CliMistakes => new()
    {
        { "an invalid name", ["run", "Bad_Name", "--image", BusyboxImage.Reference, "--", "true"], "'Bad_Name' is not a valid name" },
        { "an empty image", ["run", "empty-image", "--image", "", "--", "true"], "image: must not be empty" },
        { "memory that is no amount", ["run", "memory-lots", "--image", BusyboxImage.Reference, "--memory", "lots", "--", "true"], "--memory: 'lots'" },
        { "a negative cpu", ["run", "cpu-negative", "--image", BusyboxImage.Reference, "--cpu", "-1", "--", "true"], "--cpu: '-1'" },
        { "logs of an unknown task", ["logs", "no-such-task"], "no such task 'no-such-task'" },
        { "inspect of an unknown task", ["inspect", "no-such-task"], "no such task 'no-such-task'" },
        { "stop of an unknown task", ["stop", "no-such-task"], "no such task 'no-such-task'" },
    };

    [Theory]
    [MemberData(nameof(CliMistakes))]
    public async Task The_cli_answers_a_mistake_with_one_error_line_and_creates_nothing(string mistake, string[] args, string explanation)
    {
        var before = await TaskIdentitiesAsync();

        var result = await Dev.Cli.RunAsync(args);

        Assert.True(result.ExitCode != 0, $"{mistake}: expected a non-zero exit\n{result}");
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(explanation, line);
        Assert.Equal(before, await TaskIdentitiesAsync());
    }

    public static TheoryData<string, string, string> HttpMistakes => new()
    {
        { "malformed JSON", """{"name":"http-malformed" "image":"chas-test/busybox:latest"}""", "body" },
        { "a field of the wrong type", """{"name":"http-wrong-type","image":"chas-test/busybox:latest","cpuMillis":"x"}""", "cpuMillis" },
        { "an unknown field", """{"name":"http-unknown-field","image":"chas-test/busybox:latest","colour":"red"}""", "colour" },
        { "negative memory", """{"name":"http-negative-memory","image":"chas-test/busybox:latest","memoryBytes":-1}""", "memoryBytes" },
    };

    [Theory]
    [MemberData(nameof(HttpMistakes))]
    public async Task The_api_answers_a_bad_task_with_a_400_problem_naming_the_field_and_creates_nothing(string mistake, string body, string field)
    {
        var before = await TaskIdentitiesAsync();
        using var http = new HttpClient { BaseAddress = Dev.Url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Dev.AdminToken);

        using var response = await http.PostAsync("api/v1/tasks", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{mistake}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{mistake}: no error for '{field}' in {text}");
        Assert.Equal(JsonValueKind.Array, messages.ValueKind);
        Assert.NotEqual(0, messages.GetArrayLength());
        Assert.Equal(before, await TaskIdentitiesAsync());
    }

    /// <summary>Every task by name and uid: a task created, replaced or removed changes this.</summary>
    private async Task<IReadOnlyList<string>> TaskIdentitiesAsync() =>
        (await Dev.Cli.ListAllTasksAsync()).Select(t => $"{t.Name}/{t.Uid}").Order(StringComparer.Ordinal).ToList();
}
