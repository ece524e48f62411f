using System.Net;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Client;

namespace MemoryFabric.Cli.Tests;

public class ApiErrorsTests
{
    private static readonly ConnectionSettings Remote = new(new Uri("http://127.0.0.1:5080/"), "mfk_x", "a", false, "./data", "auto");

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, 2)]
    [InlineData(HttpStatusCode.Unauthorized, 2)]
    [InlineData(HttpStatusCode.Forbidden, 2)]
    [InlineData(HttpStatusCode.NotFound, 2)]
    [InlineData(HttpStatusCode.Conflict, 2)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, 2)]
    [InlineData(HttpStatusCode.UnsupportedMediaType, 2)]
    [InlineData(HttpStatusCode.TooManyRequests, 1)]
    [InlineData(HttpStatusCode.InternalServerError, 1)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 1)]
    public void Exit_codes_separate_bad_input_from_server_trouble(HttpStatusCode status, int expected)
    {
        var e = new MemoryFabricApiException(status, new MemoryFabricProblem { Status = (int)status, Title = "t" });

        Assert.Equal(expected, ApiErrors.ExitCode(e));
    }

    [Fact]
    public void The_message_is_one_line_with_validation_errors_and_hints()
    {
        var invalid = new MemoryFabricApiException(HttpStatusCode.BadRequest, new MemoryFabricProblem
        {
            Status = 400,
            Title = "The request is invalid",
            Detail = "Turn 3:\nblank text",
            Errors = new Dictionary<string, string[]> { ["turns[2].text"] = ["is blank"] },
        });
        Assert.Equal("memfab: 400 The request is invalid: Turn 3: blank text (turns[2].text: is blank)", ApiErrors.Describe(invalid, Remote));

        var unavailable = new MemoryFabricApiException(HttpStatusCode.ServiceUnavailable, new MemoryFabricProblem { Status = 503, Title = "Not ready" });
        Assert.Equal("memfab: 503 Not ready (is `memfab serve` running at http://127.0.0.1:5080/? or use --local)", ApiErrors.Describe(unavailable, Remote));

        var page = new MemoryFabricApiException(HttpStatusCode.NotFound, new MemoryFabricProblem { Status = 404, Detail = "<html>" + new string('x', 5000) + "</html>" });
        var line = ApiErrors.Describe(page, Remote);
        Assert.StartsWith("memfab: 404 NotFound: <html>xxx", line, StringComparison.Ordinal);
        Assert.True(line.Length < 400);
    }
}
