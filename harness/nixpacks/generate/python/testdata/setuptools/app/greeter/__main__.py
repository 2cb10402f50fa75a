import click

click.echo("greetings")
