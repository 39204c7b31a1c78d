namespace Press.Infrastructure.Tests.Traefik;

// The exact Traefik output for the small tables of TraefikDynamicConfigTests, kept apart from the tests' logic.
public sealed partial class TraefikDynamicConfigTests
{
    internal const string GoldenTls = """
        {
          "http": {
            "middlewares": {
              "frappe-site-erp-example-com": {
                "headers": {
                  "customRequestHeaders": {
                    "X-Frappe-Site-Name": "erp.example.com"
                  }
                }
              },
              "redirect-to-https": {
                "redirectScheme": {
                  "permanent": true,
                  "port": "48543",
                  "scheme": "https"
                }
              },
              "security-headers": {
                "headers": {
                  "browserXssFilter": true,
                  "contentTypeNosniff": true,
                  "customFrameOptionsValue": "SAMEORIGIN",
                  "referrerPolicy": "strict-origin-when-cross-origin",
                  "stsSeconds": 31536000
                }
              }
            },
            "routers": {
              "host-erp-example-com": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers",
                  "frappe-site-erp-example-com"
                ],
                "rule": "Host(`erp.example.com`)",
                "service": "site-erp-example-com",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              },
              "host-gone-example-com": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`gone.example.com`)",
                "service": "press",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              },
              "host-old-example-com": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`old.example.com`)",
                "service": "press",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              },
              "host-press-example-com": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`press.example.com`)",
                "service": "press",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              },
              "host-shop-example-org": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers",
                  "frappe-site-erp-example-com"
                ],
                "rule": "Host(`shop.example.org`)",
                "service": "site-erp-example-com",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              },
              "redirect-erp-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "redirect-to-https"
                ],
                "rule": "Host(`erp.example.com`)",
                "service": "site-erp-example-com"
              },
              "redirect-gone-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "redirect-to-https"
                ],
                "rule": "Host(`gone.example.com`)",
                "service": "press"
              },
              "redirect-old-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "redirect-to-https"
                ],
                "rule": "Host(`old.example.com`)",
                "service": "press"
              },
              "redirect-press-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "redirect-to-https"
                ],
                "rule": "Host(`press.example.com`)",
                "service": "press"
              },
              "redirect-shop-example-org": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "redirect-to-https"
                ],
                "rule": "Host(`shop.example.org`)",
                "service": "site-erp-example-com"
              },
              "socketio-erp-example-com": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`erp.example.com`) && PathPrefix(`/socket.io`)",
                "service": "press",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              },
              "socketio-shop-example-org": {
                "entryPoints": [
                  "websecure"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`shop.example.org`) && PathPrefix(`/socket.io`)",
                "service": "press",
                "tls": {
                  "certResolver": "letsencrypt"
                }
              }
            },
            "services": {
              "press": {
                "loadBalancer": {
                  "servers": [
                    {
                      "url": "http://127.0.0.1:48550"
                    }
                  ]
                }
              },
              "site-erp-example-com": {
                "loadBalancer": {
                  "healthCheck": {
                    "hostname": "erp.example.com",
                    "interval": "10s",
                    "path": "/api/method/ping",
                    "timeout": "3s"
                  },
                  "servers": [
                    {
                      "url": "http://127.0.0.1:48600"
                    }
                  ]
                }
              }
            }
          }
        }

        """;

    internal const string GoldenPlain = """
        {
          "http": {
            "middlewares": {
              "frappe-site-erp-example-com": {
                "headers": {
                  "customRequestHeaders": {
                    "X-Frappe-Site-Name": "erp.example.com"
                  }
                }
              },
              "security-headers": {
                "headers": {
                  "browserXssFilter": true,
                  "contentTypeNosniff": true,
                  "customFrameOptionsValue": "SAMEORIGIN",
                  "referrerPolicy": "strict-origin-when-cross-origin"
                }
              }
            },
            "routers": {
              "host-erp-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "frappe-site-erp-example-com"
                ],
                "rule": "Host(`erp.example.com`)",
                "service": "site-erp-example-com"
              },
              "host-gone-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`gone.example.com`)",
                "service": "press"
              },
              "host-old-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`old.example.com`)",
                "service": "press"
              },
              "host-press-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`press.example.com`)",
                "service": "press"
              },
              "host-shop-example-org": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers",
                  "frappe-site-erp-example-com"
                ],
                "rule": "Host(`shop.example.org`)",
                "service": "site-erp-example-com"
              },
              "socketio-erp-example-com": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`erp.example.com`) && PathPrefix(`/socket.io`)",
                "service": "press"
              },
              "socketio-shop-example-org": {
                "entryPoints": [
                  "web"
                ],
                "middlewares": [
                  "security-headers"
                ],
                "rule": "Host(`shop.example.org`) && PathPrefix(`/socket.io`)",
                "service": "press"
              }
            },
            "services": {
              "press": {
                "loadBalancer": {
                  "servers": [
                    {
                      "url": "http://127.0.0.1:48550"
                    }
                  ]
                }
              },
              "site-erp-example-com": {
                "loadBalancer": {
                  "healthCheck": {
                    "hostname": "erp.example.com",
                    "interval": "10s",
                    "path": "/api/method/ping",
                    "timeout": "3s"
                  },
                  "servers": [
                    {
                      "url": "http://127.0.0.1:48600"
                    }
                  ]
                }
              }
            }
          }
        }

        """;
}
