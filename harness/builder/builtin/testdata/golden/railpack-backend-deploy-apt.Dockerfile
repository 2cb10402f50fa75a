# builder: railpack
# shell: ["/bin/bash" "-c"]
# start: python app.py
# workdir: /app
# python: python

# ===== setup =====
# context app.py <- backend/app.py (644)
# context requirements.txt <- backend/requirements.txt (644)
# Railpack's plan as a Dockerfile: one stage per plan step, then the deploy image.

# step packages:mise
FROM bootmatrix-kit/railpack-builder:mise-2026.8.6 AS packages-mise
WORKDIR /app
ENV MISE_CACHE_DIR="/mise/cache"
ENV MISE_CONFIG_DIR="/mise"
ENV MISE_DATA_DIR="/mise"
ENV MISE_INSTALLS_DIR="/mise/installs"
ENV MISE_SHIMS_DIR="/mise/shims"
ENV PATH="/mise/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RUN mkdir -p /etc/mise && printf '[tools]\n  python = "3.13"\n\n[settings]\n  idiomatic_version_file_enable_tools = ["python", "node", "ruby", "elixir", "go", "java", "yarn", "bun", "deno", "dotnet", "rust"]\n  minimum_release_age = "14d"\n  paranoid = true\n  trusted_config_paths = ["/app"]\n  [settings.node]\n    verify = false\n  [settings.python]\n    compile = false\n' > /etc/mise/config.toml
RUN ["mise","install"]
RUN ["mkdir","-p","/mise/shims","/mise/installs","/root/.local/state/mise"]

# step install
FROM packages-mise AS install
WORKDIR /app
# what Railpack passes as secrets and caches: where pip finds packages
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse PIP_NO_INDEX=1
ENV PIP_FIND_LINKS="/opt/bootmatrix/wheelhouse /opt/bootmatrix/python-wheels"
ENV MISE_CACHE_DIR="/mise/cache"
ENV MISE_CONFIG_DIR="/mise"
ENV MISE_DATA_DIR="/mise"
ENV MISE_INSTALLS_DIR="/mise/installs"
ENV MISE_SHIMS_DIR="/mise/shims"
ENV PIP_CACHE_DIR="/opt/pip-cache"
ENV PIP_DEFAULT_TIMEOUT="100"
ENV PIP_DISABLE_PIP_VERSION_CHECK="1"
ENV PYTHONDONTWRITEBYTECODE="1"
ENV PYTHONFAULTHANDLER="1"
ENV PYTHONHASHSEED="random"
ENV PYTHONUNBUFFERED="1"
ENV VIRTUAL_ENV="/app/.venv"
ENV PATH="/mise/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# cache pip: /opt/pip-cache (shared); not mounted, each build starts it empty
RUN ["python","-m","venv","/app/.venv"]
ENV PATH="/app/.venv/bin:/mise/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
COPY requirements.txt requirements.txt
RUN ["pip","install","-r","requirements.txt"]

# step build
FROM install AS build
WORKDIR /app
ENV MISE_CACHE_DIR="/mise/cache"
ENV MISE_CONFIG_DIR="/mise"
ENV MISE_DATA_DIR="/mise"
ENV MISE_INSTALLS_DIR="/mise/installs"
ENV MISE_SHIMS_DIR="/mise/shims"
ENV PIP_CACHE_DIR="/opt/pip-cache"
ENV PIP_DEFAULT_TIMEOUT="100"
ENV PIP_DISABLE_PIP_VERSION_CHECK="1"
ENV PYTHONDONTWRITEBYTECODE="1"
ENV PYTHONFAULTHANDLER="1"
ENV PYTHONHASHSEED="random"
ENV PYTHONUNBUFFERED="1"
ENV VIRTUAL_ENV="/app/.venv"
ENV PATH="/app/.venv/bin:/mise/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
COPY . /app

# step packages:apt:runtime
FROM bootmatrix-kit/railpack-runtime:mise-2026.8.6 AS packages-apt-runtime
WORKDIR /app
# cache apt: /var/cache/apt (locked); not mounted, each build starts it empty
# cache apt-lists: /var/lib/apt/lists (locked); not mounted, each build starts it empty
RUN ["sh","-c","apt-get update && apt-get install -y libgomp1"]

# deploy
FROM packages-apt-runtime AS deploy
COPY --from=packages-mise /mise/shims /mise/shims
COPY --from=packages-mise /mise/installs /mise/installs
COPY --from=packages-mise /usr/local/bin/mise /usr/local/bin/mise
COPY --from=packages-mise /etc/mise/config.toml /etc/mise/config.toml
COPY --from=packages-mise /root/.local/state/mise /root/.local/state/mise
COPY --from=build /app/.venv /app/.venv
# the plan excludes .venv here; COPY has no --exclude on the classic builder, and the same files came from build just above, so the tree is the same
COPY --from=build /app /app
WORKDIR /app
ENV MISE_CACHE_DIR="/mise/cache"
ENV MISE_CONFIG_DIR="/mise"
ENV MISE_DATA_DIR="/mise"
ENV MISE_INSTALLS_DIR="/mise/installs"
ENV MISE_SHIMS_DIR="/mise/shims"
ENV PATH="/app/.venv/bin:/mise/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ENV PIP_CACHE_DIR="/opt/pip-cache"
ENV PIP_DEFAULT_TIMEOUT="100"
ENV PIP_DISABLE_PIP_VERSION_CHECK="1"
ENV PYTHONDONTWRITEBYTECODE="1"
ENV PYTHONFAULTHANDLER="1"
ENV PYTHONHASHSEED="random"
ENV PYTHONUNBUFFERED="1"
ENV RAILPACK_VERSION="dev"
ENV VIRTUAL_ENV="/app/.venv"
ENTRYPOINT ["/bin/bash","-c"]
CMD ["python app.py"]

# ===== install: none =====

# ===== final: none =====
