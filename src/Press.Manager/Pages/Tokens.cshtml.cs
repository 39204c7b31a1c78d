using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;

namespace Press.Manager.Pages;

/// <summary>API tokens: the API's <see cref="TokenCommands"/> — mint (secret shown once), list with last use, revoke.</summary>
public sealed class TokensModel(TokenCommands tokens) : PressPage
{
    public IReadOnlyList<IdentityStore.TokenRecord> Tokens { get; private set; } = [];
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? NewRole { get; set; }
    [BindProperty] public int? Days { get; set; }
    public IdentityStore.MintedToken? Minted { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    protected override async Task LoadAsync() => Tokens = await tokens.ListAsync(User, HttpContext.RequestAborted);

    public Task<IActionResult> OnPostCreateAsync() => MutateAsync(Roles.Viewer, async () =>
    {
        Minted = await tokens.MintAsync(User, Actor, Name?.Trim(), string.IsNullOrEmpty(NewRole) ? null : NewRole, Days, HttpContext.RequestAborted);
        Flash = Minted is null ? null : $"Minted {Minted.Name}.";
        await LoadAsync();
        return Page();
    });

    public Task<IActionResult> OnPostRevokeAsync(Guid id) => MutateAsync(Roles.Viewer, async () =>
    {
        var revoked = await tokens.RevokeAsync(id, User, Actor, HttpContext.RequestAborted);
        Flash = $"Revoked {revoked} token(s).";
        return Redirect("/tokens");
    }, "/tokens");
}
