using Newtonsoft.Json.Linq;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>Both compose files against the Compose Specification's JSON Schema (tests/schemas).</summary>
public sealed class ComposeSchemaTests
{
    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Validates_against_the_compose_spec(string file) =>
        JsonSchemas.AssertValid(JsonSchemas.Compose, ComposeFile.Get(file).Root, $"docker/{file}");

    [Fact]
    public void The_validation_catches_a_misspelt_key_and_a_wrong_type()
    {
        var root = (JObject)ComposeFile.Production.Root.DeepClone();
        var postgres = (JObject)root["services"]!["postgres"]!;
        postgres["network_mod"] = postgres["network_mode"];
        postgres.Remove("network_mode");
        postgres["restart"] = 5;

        var errors = JsonSchemas.Errors(JsonSchemas.Compose, root);

        Assert.Contains(errors, e => e.Contains("NoAdditionalPropertiesAllowed") && e.Contains("network_mod"));
        Assert.Contains(errors, e => e.Contains("services.postgres.restart") && e.Contains("StringExpected"));
    }

    [Fact]
    public void Plain_scalars_get_their_yaml_1_2_types_and_quoted_ones_stay_strings()
    {
        var redis = ComposeFile.Production["redis"].Node;
        Assert.Equal(JTokenType.Integer, redis["healthcheck"]!["retries"]!.Type);
        Assert.Equal(JTokenType.String, redis["restart"]!.Type);
        var keycloak = ComposeFile.Production["keycloak"].Node;
        Assert.Equal(JTokenType.String, keycloak["environment"]!["KC_HTTP_PORT"]!.Type); // "48595"
        Assert.Equal(JTokenType.String, ComposeFile.Production["press-bootstrap"].Node["restart"]!.Type); // "no"
    }
}
