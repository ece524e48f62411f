using Microsoft.Extensions.FileProviders;

namespace MemoryFabric.Server.Inspector;

/// <summary>The memory inspector at <c>/ui</c>: static files and small ES modules shipped inside the server assembly
/// (embedded resources read through <see cref="ManifestEmbeddedFileProvider"/>), no key needed to load them. The page
/// itself reads everything through the public <c>/v1</c> API (and <c>/metrics</c>) with the key the user gives it.
/// Every <c>/ui</c> answer carries <see cref="InspectorHeaders"/>.</summary>
internal static class InspectorEndpoints
{
    /// <summary>Where the inspector is served.</summary>
    public const string BasePath = "/ui";

    /// <summary>Maps <c>/ui/{file}</c> (<c>index.html</c> for <c>/ui/</c>; <c>/ui</c> redirects to <c>/ui/</c>).</summary>
    /// <param name="app">The endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapInspector(this IEndpointRouteBuilder app)
    {
        var assets = new Lazy<InspectorAssets>(() => InspectorAssets.Load(new ManifestEmbeddedFileProvider(typeof(InspectorEndpoints).Assembly, "Inspector/Assets")));
        string[] methods = [HttpMethods.Get, HttpMethods.Head];

        app.MapMethods(BasePath + "/{**file}", methods, (HttpContext context, string? file) =>
        {
            var response = context.Response;
            InspectorHeaders.Apply(response);
            if (!context.Request.Path.Value!.EndsWith('/') && string.IsNullOrEmpty(file))
            {
                response.Redirect(context.Request.PathBase + BasePath + "/"); // relative links resolve under /ui/
                return Task.CompletedTask;
            }

            if (!assets.Value.TryGet(string.IsNullOrEmpty(file) ? "index.html" : file, out var asset))
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                response.ContentType = "text/plain; charset=utf-8";
                return response.WriteAsync("Not found.", context.RequestAborted);
            }

            response.Headers.ETag = asset.ETag;
            response.Headers.CacheControl = "no-cache"; // revalidated (ETag) on every load: a new server version is seen at once
            if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            response.ContentType = asset.ContentType;
            response.ContentLength = asset.Body.Length;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Body, context.RequestAborted).AsTask();
        }).AllowAnonymous().ExcludeFromDescription();

        return app;
    }
}
