using System.Text.Json;
using MemoryFabric.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace MemoryFabric.Server.Http;

/// <summary>RFC 7807 problem details, the body of every error response.</summary>
internal static class Problems
{
    public const string TypeBase = "https://memoryfabric.dev/problems/";
    public const string ContentType = "application/problem+json";

    public static ProblemDetails Create(HttpContext context, int status, string slug, string title, string? detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null ? new ProblemDetails() : new ValidationProblemDetails(errors);
        problem.Type = TypeBase + slug;
        problem.Title = title;
        problem.Status = status;
        problem.Detail = detail;
        problem.Instance = context.Request.Path.Value;
        return problem;
    }

    public static Task WriteAsync(HttpContext context, int status, string slug, string title, string? detail, IDictionary<string, string[]>? errors = null) =>
        WriteAsync(context, Create(context, status, slug, title, detail, errors));

    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, problem, problem.GetType(), MemoryFabricJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    public static IResult Result(HttpContext context, int status, string slug, string title, string? detail) =>
        TypedResults.Json(Create(context, status, slug, title, detail), MemoryFabricJson.Options, ContentType, status);

    public static IResult NotFound(HttpContext context, string detail) =>
        Result(context, StatusCodes.Status404NotFound, "not-found", "Not found", detail);

    public static IResult BadRequest(HttpContext context, string detail) =>
        Result(context, StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", detail);
}
