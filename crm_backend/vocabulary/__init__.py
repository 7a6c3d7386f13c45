"""The words the CRM owns, served to the bot and the staff pages."""
