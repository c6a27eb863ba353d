{
  description = "todo-app development shell: Node, Helm, kubectl, Dapr CLI, doctl, psql, jq";

  # nixos-unstable: the dev shell follows current tool releases; `nix develop` writes flake.lock,
  # which pins the exact nixpkgs revision once committed.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [
            # The issue text says Node 20, but the project runs on Node 24 (package.json engines
            # ">=24", .nvmrc, the node:24 images): Effect 4, undici 8 and vitest 5 need >= 22.19,
            # and running .ts files directly needs type stripping. So nodejs_24.
            nodejs_24
            kubernetes-helm
            kubectl
            dapr-cli
            doctl
            postgresql # psql, pg_isready (and a server, unused by default)
            jq
          ];
          shellHook = ''
            echo "todo-app dev shell: node $(node --version), $(helm version --short), dapr $(dapr version 2>/dev/null | head -n1)"
          '';
        };
      });
    };
}
